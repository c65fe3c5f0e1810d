"""数据目录、行为清单、措施清单、应用清单: the policy lists, their versions and schemas."""
