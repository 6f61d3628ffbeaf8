-- rules/20-provider.lua — §1.2 云服务提供商 (cloud service provider): the platform's MLPS filing
-- number, the data centres, and where the infrastructure of a level ≥ 2 system must be.

local get, int, text, list, issue, level, region_known, P, ipairs, type, string = get, int, text, list, issue, level, region_known, P, ipairs, type, string
local G = P.grading
local DCS = "/provider/data_centers"

rule{
  id = "PROV-001", severity = "error",
  title = { zh = string.format("%d级及以上云平台须填写等保备案证明编号", G.platform_filing_number_min_level),
    en = string.format("Platform filing number from level %d", G.platform_filing_number_min_level) },
  paths = { "/provider/platform_filing_number", "/provider/platform_level" },
  source = "《信息安全等级保护管理办法》（公通字〔2007〕43号）第十五条（第二级以上信息系统办理备案）",
  check = function(doc)
    local lvl = int(get(doc, "provider", "platform_level"))
    if not lvl or lvl < G.platform_filing_number_min_level or text(get(doc, "provider", "platform_filing_number")) then
      return nil
    end
    return issue("/provider/platform_filing_number",
      string.format("为必填项：云平台安全保护等级为第%d级（第%d级及以上）时须填写等保备案证明编号，格式如 11010513001-00001",
        lvl, G.platform_filing_number_min_level),
      string.format("is required when the platform's protection level is %d or above (it is %d); format 11010513001-00001",
        G.platform_filing_number_min_level, lvl))
  end,
}

rule{
  id = "PROV-002", severity = "error",
  title = { zh = "有且仅有一个主数据中心", en = "Exactly one primary data centre" },
  paths = { DCS },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》云计算安全扩展要求（云计算平台的备份与灾难恢复：主备数据中心）",
  check = function(doc)
    local dcs = list(get(doc, "provider", "data_centers"))
    if #dcs == 0 then return nil end -- FORM-REQUIRED
    local primaries = 0
    for _, dc in ipairs(dcs) do
      if type(dc) == "table" and dc.role == "primary" then primaries = primaries + 1 end
    end
    if primaries == 1 then return nil end
    return issue(DCS, string.format("应有且仅有一个主数据中心（role 为 primary），当前有%d个", primaries),
      string.format("must have exactly one primary data centre (role primary); it has %d", primaries))
  end,
}

rule{
  id = "PROV-003", severity = "error",
  title = { zh = "数据中心的行政区划代码须在区划表中", en = "Data centre region code must be known" },
  paths = { "/provider/data_centers/*/region_code" },
  source = "GB/T 2260《中华人民共和国行政区划代码》",
  check = function(doc)
    local out = {}
    for i, dc in ipairs(list(get(doc, "provider", "data_centers"))) do
      local code = type(dc) == "table" and text(dc.region_code)
      if code and code:match("^%d%d%d%d%d%d$") and not region_known(code) then
        out[#out + 1] = issue(string.format("%s/%d/region_code", DCS, i - 1),
          "“" .. code .. "”不是本策略包行政区划表中的代码（GB/T 2260）",
          "\"" .. code .. "\" is not in the pack's region table (GB/T 2260)")
      end
    end
    return out
  end,
}

rule{
  id = "PROV-004", severity = "error",
  title = { zh = string.format("%d级及以上系统的云基础设施须在境内", G.infrastructure_in_china_min_level),
    en = string.format("Infrastructure in China from level %d", G.infrastructure_in_china_min_level) },
  paths = { "/provider/data_centers/*/country", "/grading/level" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》云计算安全扩展要求·安全物理环境（基础设施位置：云计算基础设施位于中国境内）",
  check = function(doc, ctx)
    local lvl = level(doc, ctx)
    if not lvl or lvl < G.infrastructure_in_china_min_level then return nil end
    local out = {}
    for i, dc in ipairs(list(get(doc, "provider", "data_centers"))) do
      local country = type(dc) == "table" and text(dc.country)
      if country and country ~= G.home_country then
        out[#out + 1] = issue(string.format("%s/%d/country", DCS, i - 1),
          string.format("应为 %s（中国境内）：第%d级系统的云基础设施须位于境内，当前为 %s", G.home_country, lvl, country),
          string.format("must be %s: the cloud infrastructure of a level %d system must be in China; it is %s",
            G.home_country, lvl, country))
      end
    end
    return out
  end,
}
