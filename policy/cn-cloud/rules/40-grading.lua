-- rules/40-grading.lua — §1.4 定级 (protection level): the declared level against the grading
-- matrix (GB/T 22240-2020), the expert review, the supervising department, and the platform's
-- level against the system's.

local get, int, text, tbl, issue, declared_level, level, date, days_between, P, type, string, math = get, int, text, tbl, issue, declared_level, level, date, days_between, P, type, string, math
local G = P.grading

local function harm_level(harm)
  if type(harm) ~= "table" then return nil end
  local row = G.matrix[harm.object]
  return row and int(row[harm.degree])
end

rule{
  id = "GRAD-001", severity = "error",
  title = { zh = "安全保护等级须与定级矩阵一致", en = "Level must follow the grading matrix" },
  paths = { "/grading/level", "/grading/business_info_harm", "/grading/service_harm" },
  source = "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》（定级方法：业务信息安全与系统服务安全分别定级，取其高者）",
  check = function(doc, ctx)
    local declared = declared_level(doc)
    local b = harm_level(get(doc, "grading", "business_info_harm"))
    local s = harm_level(get(doc, "grading", "service_harm"))
    if not declared or not b or not s or declared == math.max(b, s) then return nil end
    local want = math.max(b, s)
    return issue("/grading/level",
      string.format("应为第%d级：按定级矩阵，业务信息安全为第%d级、系统服务安全为第%d级，取较高者；当前填报为第%d级",
        want, b, s, declared),
      string.format("must be %d: by the grading matrix business information security gives level %d and "
        .. "system service security level %d, and the higher one counts; %d was declared", want, b, s, declared))
  end,
}

rule{
  id = "GRAD-002", severity = "error",
  title = { zh = string.format("%d级及以上须经专家评审", G.expert_review_min_level),
    en = string.format("Expert review from level %d", G.expert_review_min_level) },
  paths = { "/grading/expert_review/done", "/grading/level" },
  source = "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》（定级流程：第二级以上须经专家评审）",
  check = function(doc, ctx)
    local lvl = level(doc, ctx)
    if not lvl or lvl < G.expert_review_min_level or get(doc, "grading", "expert_review", "done") == true then
      return nil
    end
    return issue("/grading/expert_review/done",
      string.format("应为“是”：第%d级系统（第%d级及以上）的定级须经专家评审", lvl, G.expert_review_min_level),
      string.format("must be true: the grading of a level %d system (%d or above) needs an expert review", lvl,
        G.expert_review_min_level))
  end,
}

rule{
  id = "GRAD-003", severity = "error",
  title = { zh = "专家评审日期", en = "Date of the expert review" },
  paths = { "/grading/expert_review/date" },
  source = "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》（定级流程：专家评审）",
  check = function(doc, ctx)
    if get(doc, "grading", "expert_review", "done") ~= true then return nil end
    local d = get(doc, "grading", "expert_review", "date")
    local path = "/grading/expert_review/date"
    if not text(d) then
      return issue(path, "为必填项：已完成专家评审时须填写评审日期", "is required once the expert review is done")
    end
    if date(d) and days_between(ctx.as_of, d) > 0 then
      return issue(path, "不能晚于评估日期 " .. ctx.as_of .. "，当前为 " .. d,
        "cannot be later than the as-of date " .. ctx.as_of .. "; it is " .. d)
    end
  end,
}

rule{
  id = "GRAD-004", severity = "error",
  title = { zh = "主管部门名称与审核意见", en = "Supervising department and its approval" },
  paths = { "/grading/supervisor/name", "/grading/supervisor/approved" },
  source = "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》（定级流程：有行业主管部门的，报其审核）",
  check = function(doc)
    local s = tbl(get(doc, "grading", "supervisor"))
    if not s or s.has ~= true then return nil end
    local out = {}
    if not text(s.name) then
      out[#out + 1] = issue("/grading/supervisor/name", "为必填项：有主管部门时须填写其名称",
        "is required when there is a supervising department")
    end
    if s.approved ~= true then
      out[#out + 1] = issue("/grading/supervisor/approved", "应为“是”：有主管部门时，定级须经其审核同意",
        "must be true: when there is a supervising department it must approve the level")
    end
    return out
  end,
}

rule{
  id = "GRAD-005", severity = "error",
  title = { zh = "云平台等级不得低于系统等级", en = "Platform level not below the system's" },
  paths = { "/provider/platform_level", "/grading/level" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》云计算安全扩展要求·安全建设管理（云服务商选择：云平台须为承载的业务应用系统提供相应等级的安全保护能力）",
  check = function(doc, ctx)
    local lvl, platform = level(doc, ctx), int(get(doc, "provider", "platform_level"))
    if not lvl or not platform or platform >= lvl then return nil end
    return issue("/provider/platform_level",
      string.format("不能低于系统的安全保护等级（第%d级）：系统不得部署在等级更低的云平台上，当前云平台为第%d级", lvl, platform),
      string.format("cannot be below the system's protection level (%d): a system must not run on a platform of a "
        .. "lower level; the platform is level %d", lvl, platform))
  end,
}
