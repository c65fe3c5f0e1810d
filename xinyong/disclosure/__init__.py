"""Disclosure (信用信息公开): what the platform gives society — here the credit report
(信用报告), a PDF whose number and hash the platform keeps so that anyone can verify a copy."""
