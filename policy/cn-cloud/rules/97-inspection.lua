-- rules/97-inspection.lua — the periodic self-inspection report (定期自查, inspection.json). Rules
-- whose id starts INSP- check the report, not the filing; they run when a report is saved.

local get, int, text, bool, issue = get, int, text, bool, issue

rule{
  id = "INSP-001", severity = "error",
  title = { zh = "自查期间的起止日期须有先后", en = "The period inspected runs forward" },
  paths = { "/period/to" },
  source = "GB/T 28448-2019《信息安全技术 网络安全等级保护测评要求》（定期自查覆盖的时间范围）",
  check = function(doc)
    local from, to = text(get(doc, "period", "from")), text(get(doc, "period", "to"))
    if from and to and to < from then
      return issue("/period/to", "（" .. to .. "）早于起始日期（" .. from .. "）", "(" .. to .. ") is before the start (" .. from .. ")")
    end
  end,
}

rule{
  id = "INSP-002", severity = "error",
  title = { zh = "高危漏洞未全部修复的，须说明整改措施", en = "Unfixed high-risk findings need measures" },
  paths = { "/vulnerability/high_fixed", "/conclusion/measures" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.1.10.5 漏洞和风险管理",
  check = function(doc)
    local found, fixed = int(get(doc, "vulnerability", "high_findings")), int(get(doc, "vulnerability", "high_fixed"))
    if not found or not fixed then return nil end
    if fixed > found then
      return issue("/vulnerability/high_fixed", "（" .. fixed .. "）多于发现的高危漏洞数（" .. found .. "）",
        "(" .. fixed .. ") is more than the high-risk findings (" .. found .. ")")
    end
    if fixed < found and not text(get(doc, "conclusion", "measures")) then
      return issue("/conclusion/measures", "：仍有 " .. (found - fixed) .. " 个高危漏洞未修复，须说明整改措施和期限",
        ": " .. (found - fixed) .. " high-risk finding(s) remain unfixed; say what is being done and by when")
    end
  end,
}

rule{
  id = "INSP-003", severity = "error",
  title = { zh = "协议或资质失效时不能结论为符合要求", en = "No 'compliant' with a lapsed agreement or qualification" },
  paths = { "/conclusion/result", "/agreement/valid", "/agreement/provider_qualifications_valid" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.2.4 安全建设管理（云计算安全扩展要求：云服务商选择）",
  check = function(doc)
    local result = text(get(doc, "conclusion", "result"))
    local lapsed = bool(get(doc, "agreement", "valid")) == false or bool(get(doc, "agreement", "provider_qualifications_valid")) == false
    local to, until_ = text(get(doc, "period", "to")), text(get(doc, "agreement", "valid_until"))
    if to and until_ and until_ < to then lapsed = true end
    if result == "compliant" and lapsed then
      return issue("/conclusion/result", "不能为“符合要求”：云服务协议或云服务商资质已失效，须先续签或更换并说明整改措施",
        "cannot be 'compliant' while the agreement or the provider's qualifications have lapsed: renew or replace them and state the measures")
    end
  end,
}

rule{
  id = "INSP-004", severity = "warning",
  title = { zh = "期间应开展应急演练和恢复测试", en = "Drills and restore tests in the period" },
  paths = { "/drills/held", "/backup/restore_tested" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.1.10.11 备份与恢复管理、8.1.10.13 应急预案管理",
  check = function(doc)
    local out = {}
    if bool(get(doc, "drills", "held")) == false then
      out[#out + 1] = issue("/drills/held", "：本期未开展应急演练，应定期演练应急预案", ": no drill was held in the period; the emergency plan must be drilled regularly")
    end
    if bool(get(doc, "backup", "restore_tested")) == false then
      out[#out + 1] = issue("/backup/restore_tested", "：本期未做恢复测试，应定期验证备份可用", ": no restore was tested in the period; backups must be restore-tested regularly")
    end
    return out
  end,
}
