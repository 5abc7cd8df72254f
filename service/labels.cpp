#include "service/labels.hpp"

#include "model/text.hpp"
#include "service/activities.hpp"
#include "service/authz.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>

namespace flotilla::service {

namespace {

error builtin_refused(const std::string& name) {
    return error::invalid("name", "cannot modify or add built-in label '" + name + "'");
}

} // namespace

expected<label_list> list_labels(storage::store& st, const list_options& o) {
    auto all = st.label_specs();
    if (!all)
        return all.err();
    auto counts = st.label_host_counts();
    if (!counts)
        return counts.err();
    std::vector<label_spec> kept;
    for (auto& l : *all)
        if (matches_text(o.query, {&l.name}))
            kept.push_back(std::move(l));
    static const sort_keys<label_spec> keys{{
        {"id", [](const label_spec& a, const label_spec& b) { return a.id < b.id; }},
        {"name", [](const label_spec& a, const label_spec& b) { return a.name < b.name; }},
        {"created_at",
         [](const label_spec& a, const label_spec& b) { return a.created_at < b.created_at; }},
        {"updated_at",
         [](const label_spec& a, const label_spec& b) { return a.updated_at < b.updated_at; }},
    }};
    auto page = order_and_page(std::move(kept), o, keys);
    if (!page)
        return page.err();
    return label_list{std::move(*page), std::move(*counts)};
}

expected<label_spec> create_label(storage::store& st, const user& by, const label_spec& spec,
                                  micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    if (auto errors = validate(spec); !errors.empty())
        return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
    label_spec created;
    auto done = st.transaction([&]() -> expected<void> {
        auto existing = st.label_spec_by_name(spec.name);
        if (existing && existing->builtin)
            return builtin_refused(spec.name);
        if (existing)
            return error{errc::already_exists,
                         "Resource Already Exists",
                         {{"name", "a label named '" + spec.name + "' already exists"}}};
        if (existing.err().code != errc::not_found)
            return existing.err();
        if (auto r = st.apply_label_specs({spec}, now); !r)
            return r;
        auto stored = st.label_spec_by_name(spec.name);
        if (!stored)
            return stored.err();
        created = std::move(*stored);
        return record_activity(st, by, "created_label",
                               {{"label_id", created.id}, {"label_name", created.name}}, now);
    });
    if (!done)
        return done.err();
    return created;
}

expected<label_spec> modify_label(storage::store& st, const user& by, std::int64_t id,
                                  const std::optional<std::string>& name,
                                  const std::optional<std::string>& description, micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    label_spec out;
    auto done = st.transaction([&]() -> expected<void> {
        auto l = st.label_by_id(id);
        if (!l)
            return l.err();
        if (l->builtin)
            return builtin_refused(l->name);
        std::vector<field_error> errors;
        if (name && name->empty())
            errors.push_back({"name", "label name cannot be empty"});
        if (name)
            check_length(errors, "name", *name, "label name");
        if (!errors.empty())
            return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
        if (name && *name != l->name) {
            auto other = st.label_spec_by_name(*name);
            if (other && other->builtin)
                return builtin_refused(*name);
        }
        if (auto r = st.rename_label(id, name.value_or(l->name),
                                     description.value_or(l->description), now);
            !r)
            return r;
        if (auto r =
                record_activity(st, by, "edited_label",
                                {{"label_id", id}, {"label_name", name.value_or(l->name)}}, now);
            !r)
            return r;
        auto stored = st.label_by_id(id);
        if (!stored)
            return stored.err();
        out = std::move(*stored);
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

expected<void> delete_label(storage::store& st, const user& by, std::int64_t id, micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    return st.transaction([&]() -> expected<void> {
        auto l = st.label_by_id(id);
        if (!l)
            return l.err();
        if (l->builtin)
            return error::invalid("name", "cannot delete built-in label '" + l->name + "'");
        if (auto r = st.delete_label(id); !r)
            return r;
        return record_activity(st, by, "deleted_label", {{"label_name", l->name}}, now);
    });
}

expected<std::int64_t> label_id_by_name(storage::store& st, const std::string& name) {
    auto l = st.label_spec_by_name(name);
    if (!l)
        return l.err();
    return l->id;
}

} // namespace flotilla::service
