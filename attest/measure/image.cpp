#include "attest/measure/image.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "common/hex.hpp"

namespace snprelay::attest::measure {
namespace {

Error bad(const std::string& source, const std::string& what) {
  return make_error("measure", "BAD_IMAGE", "image description " + source + ": " + what, ErrorKind::kInput);
}

constexpr std::string_view kLabelPrefix = "image \"";

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (const unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+')
      return false;
  return true;
}

Result<Digest256> parse_sha256(const std::string& source, const std::string& key, const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != Digest256{}.size() || text.starts_with("0x"))
    return bad(source, key + " is not 64 hex digits (a SHA-256)");
  Digest256 out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// Reads one table of the description, refusing keys it does not know.
class Section {
 public:
  Section(const toml::table* table, std::string source, std::string prefix)
      : table_(table), source_(std::move(source)), prefix_(std::move(prefix)) {}

  [[nodiscard]] bool present() const { return table_ != nullptr; }

  Status known(std::initializer_list<std::string_view> keys) const {
    if (table_ == nullptr)
      return ok_status();
    const std::set<std::string_view> allowed(keys);
    for (const auto& [k, v] : *table_)
      if (!allowed.contains(k.str()))
        return bad(source_, "unknown key \"" + prefix_ + std::string(k.str()) + "\"");
    return ok_status();
  }

  Result<std::optional<std::string>> text(std::string_view key) const {
    const toml::node* n = table_ ? table_->get(key) : nullptr;
    if (n == nullptr)
      return std::optional<std::string>{};
    if (!n->is_string())
      return bad(source_, prefix_ + std::string(key) + " must be a string");
    return std::optional<std::string>{n->as_string()->get()};
  }

  Result<std::string> required_text(std::string_view key) const {
    auto t = text(key);
    if (!t)
      return t.error();
    if (!*t || (*t)->empty())
      return bad(source_, "missing " + prefix_ + std::string(key));
    return **t;
  }

  Result<std::optional<std::uint64_t>> number(std::string_view key, std::uint64_t max) const {
    const toml::node* n = table_ ? table_->get(key) : nullptr;
    if (n == nullptr)
      return std::optional<std::uint64_t>{};
    if (!n->is_integer() || n->as_integer()->get() < 0 ||
        static_cast<std::uint64_t>(n->as_integer()->get()) > max)
      return bad(source_, prefix_ + std::string(key) + " must be an integer in 0.." + std::to_string(max));
    return std::optional<std::uint64_t>{static_cast<std::uint64_t>(n->as_integer()->get())};
  }

 private:
  const toml::table* table_;
  std::string source_, prefix_;
};

std::string resolve(const std::string& source, const std::string& file) {
  const std::filesystem::path p(file);
  if (p.is_absolute())
    return file;
  return (std::filesystem::path(source).parent_path() / p).lexically_normal().string();
}

// [firmware], [kernel], [initrd]: file and sha256.
struct Part {
  std::string file;
  Digest256 sha256{};
};

Result<std::optional<Part>> read_part(const Section& s, const std::string& source, const std::string& table,
                                      std::initializer_list<std::string_view> keys) {
  if (!s.present())
    return std::optional<Part>{};
  if (auto st = s.known(keys); !st)
    return st.error();
  auto file = s.required_text("file");
  if (!file)
    return file.error();
  auto sha = s.required_text("sha256");
  if (!sha)
    return sha.error();
  auto digest = parse_sha256(source, table + ".sha256", *sha);
  if (!digest)
    return digest.error();
  return std::optional<Part>{Part{resolve(source, *file), *digest}};
}

Result<LaunchShape> read_launch(const Section& s, const std::string& source) {
  if (!s.present())
    return bad(source, "missing [launch] (vcpus, vcpu_type, vmm, guest_features)");
  if (auto st = s.known({"vcpus", "vcpu_type", "vcpu_sig", "vcpu_family", "vcpu_model", "vcpu_stepping",
                         "vmm", "guest_features"});
      !st)
    return st.error();
  LaunchShape shape;
  auto vcpus = s.number("vcpus", UINT32_MAX);
  if (!vcpus)
    return vcpus.error();
  if (!*vcpus)
    return bad(source, "missing launch.vcpus");
  shape.vcpus = static_cast<std::uint32_t>(**vcpus);
  auto type = s.text("vcpu_type");
  auto sig = s.number("vcpu_sig", UINT32_MAX);
  auto family = s.number("vcpu_family", UINT32_MAX);
  auto model = s.number("vcpu_model", UINT32_MAX);
  auto stepping = s.number("vcpu_stepping", UINT32_MAX);
  for (const Status& st :
       {type ? ok_status() : Status(type.error()), sig ? ok_status() : Status(sig.error()),
        family ? ok_status() : Status(family.error()), model ? ok_status() : Status(model.error()),
        stepping ? ok_status() : Status(stepping.error())})
    if (!st)
      return st.error();
  const bool fms = *family || *model || *stepping;
  if (static_cast<int>(type->has_value()) + static_cast<int>(sig->has_value()) + static_cast<int>(fms) != 1)
    return bad(source,
               "give exactly one of launch.vcpu_type, launch.vcpu_sig, or launch.vcpu_family with "
               "vcpu_model and vcpu_stepping");
  if (*type) {
    auto s2 = vcpu_type_signature(**type);
    if (!s2)
      return bad(source, s2.error().message);
    shape.vcpu_sig = *s2;
    shape.vcpu_type = **type;
  } else if (*sig) {
    shape.vcpu_sig = static_cast<std::uint32_t>(**sig);
  } else {
    if (!*family || !*model || !*stepping)
      return bad(source, "launch.vcpu_family, vcpu_model and vcpu_stepping go together");
    auto s2 = vcpu_signature(static_cast<std::uint32_t>(**family), static_cast<std::uint32_t>(**model),
                             static_cast<std::uint32_t>(**stepping));
    if (!s2)
      return bad(source, s2.error().message);
    shape.vcpu_sig = *s2;
  }
  auto vmm = s.text("vmm");
  if (!vmm)
    return vmm.error();
  if (*vmm) {
    auto v = parse_vmm(**vmm);
    if (!v)
      return bad(source, v.error().message);
    shape.vmm = *v;
  }
  auto features = s.number("guest_features", INT64_MAX);
  if (!features)
    return features.error();
  if (*features)
    shape.guest_features = **features;
  if (auto st = check_shape(shape); !st)
    return bad(source, st.error().message);
  return shape;
}

Status check_part(const std::string& source, const std::string& what, const std::string& file,
                  const Digest256& stated, const Digest256& got) {
  if (stated == got)
    return ok_status();
  return make_error("measure", "INPUT_MISMATCH",
                    "image description " + source + ": " + what + " " + file + " has SHA-256 " + to_hex(got) +
                        ", the description states " + to_hex(stated),
                    ErrorKind::kInput);
}

}  // namespace

Result<ImageDescription> load_image_description(const std::string& path) {
  auto raw = read_input_file(path, kMaxTextFileBytes, "image description");
  if (!raw)
    return raw.error();
  toml::table doc;
  try {
    doc = toml::parse(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()), path);
  } catch (const toml::parse_error& e) {
    return bad(path, "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  const Section top(&doc, path, "");
  if (auto st = top.known({"name", "firmware", "kernel", "initrd", "launch"}); !st)
    return st.error();
  ImageDescription out;
  out.source = path;
  auto name = top.required_text("name");
  if (!name)
    return name.error();
  if (!valid_name(*name))
    return bad(path, "name \"" + *name + "\" must be 1..64 of A-Z a-z 0-9 . _ - +");
  out.name = *name;
  auto fw =
      read_part(Section(doc["firmware"].as_table(), path, "firmware."), path, "firmware", {"file", "sha256"});
  if (!fw)
    return fw.error();
  if (!*fw)
    return bad(path, "missing [firmware] (file, sha256)");
  out.files.firmware = (*fw)->file;
  out.firmware_sha256 = (*fw)->sha256;
  const Section kernel_section(doc["kernel"].as_table(), path, "kernel.");
  auto kernel = read_part(kernel_section, path, "kernel", {"file", "sha256", "cmdline"});
  if (!kernel)
    return kernel.error();
  auto initrd =
      read_part(Section(doc["initrd"].as_table(), path, "initrd."), path, "initrd", {"file", "sha256"});
  if (!initrd)
    return initrd.error();
  if (*initrd && !*kernel)
    return bad(path, "[initrd] needs [kernel]: an initrd is measured only in a direct boot");
  if (*kernel) {
    out.files.kernel = (*kernel)->file;
    out.kernel_sha256 = (*kernel)->sha256;
    auto cmdline = kernel_section.text("cmdline");
    if (!cmdline)
      return cmdline.error();
    out.files.cmdline = *cmdline;
  }
  if (*initrd) {
    out.files.initrd = (*initrd)->file;
    out.initrd_sha256 = (*initrd)->sha256;
  }
  for (const char* t : {"firmware", "kernel", "initrd", "launch"})
    if (doc.contains(t) && !doc[t].is_table())
      return bad(path, std::string(t) + " must be a table ([" + t + "])");
  auto shape = read_launch(Section(doc["launch"].as_table(), path, "launch."), path);
  if (!shape)
    return shape.error();
  out.shape = std::move(*shape);
  return out;
}

Result<MeasuredImage> measure_image(const ImageDescription& image) {
  auto m = measure_files(image.files, image.shape);
  if (!m)
    return m.error();
  if (auto st = check_part(image.source, "firmware", image.files.firmware, image.firmware_sha256,
                           m->firmware_sha256);
      !st)
    return st.error();
  if (m->direct_boot) {
    if (auto st = check_part(image.source, "kernel", image.files.kernel, *image.kernel_sha256,
                             m->direct_boot->kernel);
        !st)
      return st.error();
    if (image.initrd_sha256)
      if (auto st = check_part(image.source, "initrd", image.files.initrd, *image.initrd_sha256,
                               m->direct_boot->initrd);
          !st)
        return st.error();
  }
  return m;
}

std::string image_label(const ImageDescription& image, const MeasuredImage& measured) {
  std::string out =
      std::string(kLabelPrefix) + image.name + "\": firmware sha256 " + to_hex(measured.firmware_sha256);
  if (measured.direct_boot) {
    out += "; kernel sha256 " + to_hex(measured.direct_boot->kernel);
    out += "; initrd sha256 " + to_hex(measured.direct_boot->initrd);
    out += "; cmdline sha256 " + to_hex(measured.direct_boot->cmdline);
  }
  const LaunchShape& s = image.shape;
  out += "; " + std::to_string(s.vcpus) + " vCPUs " + (s.vcpu_type.empty() ? "" : s.vcpu_type + " ") +
         "(sig " + hex_number(s.vcpu_sig) + "), vmm " + std::string(vmm_name(s.vmm)) + ", guest features " +
         hex_number(s.guest_features);
  return out;
}

std::string image_name_of_label(const std::string& label) {
  if (!label.starts_with(kLabelPrefix))
    return {};
  const auto end = label.find("\": ", kLabelPrefix.size());
  if (end == std::string::npos)
    return {};
  std::string name = label.substr(kLabelPrefix.size(), end - kLabelPrefix.size());
  return valid_name(name) ? name : std::string{};
}

}  // namespace snprelay::attest::measure
