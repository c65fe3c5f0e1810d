"""Every route that answers with a file, sorted in two: those whose file can carry natural
persons' data (each writes an audit entry on download, :func:`xinyong.audit.service.log_download`)
and those that cannot (an empty template, counts), each with the reason.

A test walks the application's routes, finds every one that answers with a file (a path ending
in .xlsx or .csv, or documented with a file's content type) and fails when one is in neither
list, or when one in the first list is downloaded with a person in it and no entry is written:
so a new download cannot ship unaudited without someone deciding, here, that it holds no one.
"""

from __future__ import annotations

# path (as the router declares it) → the audit entry's ``entity``
PERSONAL: dict[str, str] = {
    "/records/batches/{batch_id}/errors.xlsx": "import_error_report",
    "/api/v1/checks/batches/{batch_id}/result.xlsx": "check_batch_result",
    "/api/v1/lists/export.xlsx": "published_list_export",
    "/api/v1/commitments/export.xlsx": "commitments_export",
}

# path → why its file holds no one's personal data
NOT_PERSONAL: dict[str, str] = {
    "/records/templates/{category}.xlsx": "空白导入模板：只有表头和填写说明",
    "/checks/batch/template.xlsx": "空白批量核查名单模板",
    "/api/v1/designations/template.xlsx": "空白任职与登记身份导入模板",
    "/designations/template.xlsx": "空白任职与登记身份导入模板",
    "/supervision/{kind}/template.xlsx": "空白政务诚信监督信息导入模板",
    "/api/v1/supervision/{kind}/template.xlsx": "空白政务诚信监督信息导入模板",
    "/supervision/{kind}/export.xlsx": "政务诚信监督信息：被监督的是政府机构和部门（名称、统一社会信用代码公开），没有自然人的列",
    "/api/v1/supervision/{kind}/export.xlsx": "政务诚信监督信息：被监督的是政府机构和部门（名称、统一社会信用代码公开），没有自然人的列",
    "/api/v1/commitments/template.xlsx": "空白信用承诺导入模板",
    "/api/v1/complaints/template.xlsx": "空白 12345 热线工单导入模板：只有表头、填写说明和失信行为清单",
    "/api/v1/obligations/{register}/template.xlsx": "空白政府履约登记簿导入模板",
    "/api/v1/obligations/{register}/export.xlsx": "政府机构的履约登记（协议、合同、PPP项目、判决、债务），相对方为企业；"
                                                 "含个人的PPP责任人和违约不提供导出",
    "/api/v1/checks/stats.xlsx": "核查统计：只有按场景、部门、地区、月份汇总的次数",
    "/api/v1/push/stats.xlsx": "推送统计：只有按日、按部门汇总的条数",
    "/portal/feeds/{kind}.xlsx": "双公示数据：只有法人和非法人组织、政府机构的公开记录，不含自然人；"
                                 "所列事项不含法定代表人等人员及违法事实（xinyong/disclosure/portal_pages.py）",
}
