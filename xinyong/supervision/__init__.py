"""监督: the supervision of governments — superior inspections and assessments, NPC and CPPCC, courts, the public and third parties (76号 三; 浙 政务 二(二); 温 四(二))."""
