"""信用主体: government bodies, public servants, persons and enterprises, and who held which post when."""
