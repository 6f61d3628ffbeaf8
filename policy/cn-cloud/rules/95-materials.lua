-- rules/95-materials.lua — §3.2 备案材料 (required materials): every kind the classification lists
-- in ctx.derived.required_materials must be present; each has a material field of its own (checked
-- when the pack loads). A kind is present when a material field of
-- the form of that kind (material_kind in form.json) holds an id, or when ctx.materials (the
-- filing's attached materials, {kind = {id, …}}, passed by the server) lists one. Kinds whose form
-- field is required are left to FORM-REQUIRED. Without ctx.materials (offline validation) the
-- engine cannot see attachments, so a missing kind is a reminder (MAT-002, warning) rather than
-- an error (MAT-001).

local get, int, tbl, list, EMPTY, ipairs, table = get, int, tbl, list, EMPTY, ipairs, table
-- Found once when the pack loads: for each kind, the form's material fields of that kind (their
-- key paths) and whether one of them is required; and the two messages of each kind.
local KINDS = {}
local function walk(defs, keys)
  for _, def in ipairs(defs) do
    local k = { table.unpack(keys) }
    k[#k + 1] = def.key
    if (def.type == "material" or def.type == "material[]") and def.material_kind then
      local entry = KINDS[def.material_kind] or { fields = {}, covered = false }
      entry.fields[#entry.fields + 1] = k
      entry.covered = entry.covered or def.required == true
      KINDS[def.material_kind] = entry
    elseif def.type == "object" then
      walk(def.fields, k)
    end
  end
end
for _, section in ipairs(pack.form.sections) do walk(section.fields, { section.key }) end

-- The matrix points at the form: every kind it can require has a material field of its own, where
-- the filer attaches it and where the finding of a missing one is shown.
for i, entry in ipairs(pack.params.materials_matrix) do
  for _, kind in ipairs(entry.kinds) do
    assert(KINDS[kind], "params.json materials_matrix[" .. i .. "]: no material field of form.json takes kind '"
      .. kind .. "' (material_kind)")
  end
end

local MESSAGES = {}
for _, m in ipairs(pack.materials) do
  local zh, en, kind = m.label.zh, m.label.en, m.key
  MESSAGES[kind] = {
    missing = { zh = "缺少材料“" .. zh .. "”（" .. kind .. "）：按备案材料清单（§3.2），本备案须提交该材料",
      en = "Material \"" .. en .. "\" (" .. kind .. ") is missing: the materials matrix (§3.2) requires it for this filing" },
    reminder = { zh = "缺少材料“" .. zh .. "”（" .. kind .. "）：按备案材料清单（§3.2），提交前须上传该材料（离线校验无法核对已上传的材料）",
      en = "Material \"" .. en .. "\" (" .. kind .. ") must be attached before submission: the materials matrix (§3.2) "
        .. "requires it (offline validation cannot see attachments)" },
  }
end

local function holds_id(v)
  if int(v) then return v > 0 end
  for _, x in ipairs(list(v)) do if int(x) and x > 0 then return true end end
  return false
end

-- Findings for the required kinds that are missing, with the message `which` of each.
local function missing(doc, ctx, which)
  local attached = tbl(ctx.materials) or EMPTY
  local out = {}
  for _, kind in ipairs(ctx.derived.required_materials) do
    local entry = KINDS[kind]
    if not (entry and entry.covered) and not holds_id(attached[kind]) then
      local present = false
      for _, keys in ipairs(entry and entry.fields or EMPTY) do
        present = present or holds_id(get(doc, table.unpack(keys)))
      end
      if not present then
        -- shown at the form's field for that kind (the document's root for a kind the matrix
        -- does not know, which classify.lua does not produce)
        local field = entry and entry.fields[1]
        local path = field and ("/" .. table.concat(field, "/")) or ""
        out[#out + 1] = { path = path, message = MESSAGES[kind][which] }
      end
    end
  end
  return out
end

rule{
  id = "MAT-001", severity = "error",
  title = { zh = "须提交的备案材料", en = "Required materials" },
  paths = { "" },
  source = "《信息安全等级保护管理办法》（公通字〔2007〕43号）第十五条、第十六条（备案应提交的材料）",
  check = function(doc, ctx)
    if not tbl(ctx.materials) then return nil end
    return missing(doc, ctx, "missing")
  end,
}

rule{
  id = "MAT-002", severity = "warning",
  title = { zh = "提交前须上传的备案材料", en = "Materials to attach before submission" },
  paths = { "" },
  source = "《信息安全等级保护管理办法》（公通字〔2007〕43号）第十五条、第十六条（备案应提交的材料）",
  check = function(doc, ctx)
    if tbl(ctx.materials) then return nil end
    return missing(doc, ctx, "reminder")
  end,
}
