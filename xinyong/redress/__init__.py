"""Redress (异议、信用修复、投诉举报、从轻减轻): the ways back that every policy text pairs with
punishment. This release holds the objection (异议) workflow; repair, complaints and leniency
follow in the same package."""
