-- rules/90-operations.lua — §1.9 持续安全管理 (ongoing security): vulnerability scans on schedule,
-- at most every 90 days from level 3, and training on schedule.

local get, int, text, tbl, issue, level, within_months, date, days_between, P, string = get, int, text, tbl, issue, level, within_months, date, days_between, P, string
local O = P.operations

rule{
  id = "OPS-001", severity = "warning",
  title = { zh = "漏洞扫描按周期进行", en = "Vulnerability scans on schedule" },
  paths = { "/operations/vuln_scan/last_scan", "/operations/vuln_scan/interval_days" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（漏洞和风险管理：定期开展安全测评）",
  check = function(doc, ctx)
    local v = tbl(get(doc, "operations", "vuln_scan"))
    local interval, last = v and int(v.interval_days), v and text(v.last_scan)
    if not interval or not last or not date(last) then return nil end
    local age = days_between(last, ctx.as_of)
    if age <= interval then return nil end
    return issue("/operations/vuln_scan/last_scan",
      string.format("为 %s，距评估日期 %s 已%d天，超过扫描周期%d天", last, ctx.as_of, age, interval),
      string.format("is %s, %d days before the as-of date %s: more than the %d-day interval", last, age, ctx.as_of, interval))
  end,
}

rule{
  id = "OPS-002", severity = "error",
  title = { zh = string.format("%d级及以上：扫描周期不超过%d天", O.vuln_scan_interval_min_level, O.vuln_scan_max_interval_days),
    en = string.format("Level %d and above: scan at least every %d days", O.vuln_scan_interval_min_level, O.vuln_scan_max_interval_days) },
  paths = { "/operations/vuln_scan/interval_days" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（漏洞和风险管理）",
  check = function(doc, ctx)
    local lvl, interval = level(doc, ctx), int(get(doc, "operations", "vuln_scan", "interval_days"))
    if not lvl or lvl < O.vuln_scan_interval_min_level or not interval or interval <= O.vuln_scan_max_interval_days then
      return nil
    end
    return issue("/operations/vuln_scan/interval_days",
      string.format("第%d级系统不能超过%d天，当前为%d天", lvl, O.vuln_scan_max_interval_days, interval),
      string.format("must be at most %d days for a level %d system; it is %d", O.vuln_scan_max_interval_days, lvl, interval))
  end,
}

rule{
  id = "OPS-003", severity = "warning",
  title = { zh = "安全意识培训按周期进行", en = "Training on schedule" },
  paths = { "/operations/training/last_training", "/operations/training/interval_months" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全管理人员（安全意识教育和培训）",
  check = function(doc, ctx)
    local t = tbl(get(doc, "operations", "training"))
    local months, last = t and int(t.interval_months), t and text(t.last_training)
    if not months or not last or within_months(last, ctx.as_of, months) ~= false then return nil end
    return issue("/operations/training/last_training",
      string.format("为 %s，距评估日期 %s 已超过培训周期%d个月", last, ctx.as_of, months),
      string.format("is %s, more than the %d-month interval before the as-of date %s", last, months, ctx.as_of))
  end,
}
