// `snprelay allowlist measure` (a report's measurement, or one computed from an image: issue #25), the
// allowlist hooks for measured images (--add-measured, what `sign` shows, verify --recompute), and
// `snprelay sim launch`. The computation is attest/measure's; this file reads flags, checks, prints.
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "attest/measure/image.hpp"
#include "attest/measure/measure.hpp"
#include "attest/report.hpp"
#include "attest/sim/sim_launch.hpp"
#include "common/file_io.hpp"
#include "common/hex.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/allowlist_cli.hpp"
#include "relayer/cli/measure_cli.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;
namespace ms = attest::measure;

Error bad(const std::string& message) {
  return usage_error("BAD_INPUT", message);
}

struct MeasureArgs {
  std::string report;
  std::string label;
  bool json = false;
  std::string image;
  std::string ovmf, kernel, initrd;
  std::optional<std::string> append;
  std::string vcpus, vcpu_type, vcpu_sig, vcpu_family, vcpu_model, vcpu_stepping;
  std::string vmm = "QEMU";
  std::string guest_features = "0x1";
};

// ---- the report's measurement -------------------------------------------------------------------

int run_report_measure(const MeasureArgs& a) {
  auto raw = read_input_file(a.report, kMaxReportFileBytes, "report");
  if (!raw)
    return fail(raw.error());
  auto report = attest::parse_report(*raw);
  if (!report)
    return fail(report.error());
  const std::string m = to_hex(report->measurement);
  const std::string add = m + (a.label.empty() ? "" : ":" + a.label);
  if (a.json)
    std::cout << ordered_json{{"measurement", m}, {"add", add}}.dump() << "\n";
  else
    std::cout << "measurement: " << m << "\n--add " << app::escape_text(add) << "\n";
  return kOk;
}

// ---- the measurement of an image ----------------------------------------------------------------

// An image description, loaded and measured, and its allowlist label.
struct ComputedImage {
  ms::ImageDescription image;
  ms::MeasuredImage measured;
  std::string label;
};

Result<ComputedImage> compute_image(const std::string& path) {
  auto image = ms::load_image_description(path);
  if (!image)
    return image.error();
  auto m = ms::measure_image(*image);
  if (!m)
    return m.error();
  std::string label = ms::image_label(*image, *m);
  return ComputedImage{std::move(*image), *m, std::move(label)};
}

Bytes measurement_bytes(const ComputedImage& c) {
  return {c.measured.measurement.begin(), c.measured.measurement.end()};
}

Result<std::uint32_t> parse_u32(const char* flag, const std::string& text, std::uint64_t max) {
  auto n = app::parse_unsigned(flag, text, max);
  if (!n)
    return n.error();
  return static_cast<std::uint32_t>(*n);
}

// The launch shape of the flags: exactly one of --vcpu-type, --vcpu-sig, or the family/model/stepping.
Result<ms::LaunchShape> shape_of(const MeasureArgs& a) {
  ms::LaunchShape s;
  if (a.vcpus.empty())
    return bad("--ovmf needs --vcpus N");
  auto vcpus = parse_u32("--vcpus", a.vcpus, UINT32_MAX);
  if (!vcpus)
    return vcpus.error();
  s.vcpus = *vcpus;
  const bool fms = !a.vcpu_family.empty() || !a.vcpu_model.empty() || !a.vcpu_stepping.empty();
  if (static_cast<int>(!a.vcpu_type.empty()) + static_cast<int>(!a.vcpu_sig.empty()) +
          static_cast<int>(fms) !=
      1)
    return bad(
        "give exactly one of --vcpu-type NAME, --vcpu-sig HEX, or --vcpu-family F --vcpu-model M "
        "--vcpu-stepping S");
  if (!a.vcpu_type.empty()) {
    auto sig = ms::vcpu_type_signature(a.vcpu_type);
    if (!sig)
      return sig.error();
    s.vcpu_sig = *sig;
    s.vcpu_type = a.vcpu_type;
  } else if (!a.vcpu_sig.empty()) {
    auto sig = parse_u32("--vcpu-sig", a.vcpu_sig, UINT32_MAX);
    if (!sig)
      return sig.error();
    s.vcpu_sig = *sig;
  } else {
    if (a.vcpu_family.empty() || a.vcpu_model.empty() || a.vcpu_stepping.empty())
      return bad("--vcpu-family, --vcpu-model and --vcpu-stepping go together");
    auto f = parse_u32("--vcpu-family", a.vcpu_family, UINT32_MAX);
    auto m = parse_u32("--vcpu-model", a.vcpu_model, UINT32_MAX);
    auto st = parse_u32("--vcpu-stepping", a.vcpu_stepping, UINT32_MAX);
    for (const auto* r : {&f, &m, &st})
      if (!*r)
        return r->error();
    auto sig = ms::vcpu_signature(*f, *m, *st);
    if (!sig)
      return sig.error();
    s.vcpu_sig = *sig;
  }
  auto vmm = ms::parse_vmm(a.vmm);
  if (!vmm)
    return vmm.error();
  s.vmm = *vmm;
  auto features = app::parse_unsigned("--guest-features", a.guest_features);
  if (!features)
    return features.error();
  s.guest_features = *features;
  return s;
}

ordered_json file_json(const std::string& path, std::span<const std::uint8_t> sha) {
  return {{"file", path}, {"sha256", to_hex(sha)}};
}

ordered_json inputs_json(const ms::ImageFiles& files, const ms::LaunchShape& shape,
                         const ms::MeasuredImage& m) {
  ordered_json in;
  in["ovmf"] = file_json(files.firmware, m.firmware_sha256);
  if (m.direct_boot) {
    in["kernel"] = file_json(files.kernel, m.direct_boot->kernel);
    in["initrd"] = files.initrd.empty()
                       ? ordered_json{{"file", nullptr}, {"sha256", to_hex(m.direct_boot->initrd)}}
                       : file_json(files.initrd, m.direct_boot->initrd);
    in["cmdline"] = {{"text", files.cmdline.value_or("")}, {"sha256", to_hex(m.direct_boot->cmdline)}};
  }
  in["vcpus"] = shape.vcpus;
  if (!shape.vcpu_type.empty())
    in["vcpu_type"] = shape.vcpu_type;
  in["vcpu_sig"] = ms::hex_number(shape.vcpu_sig);
  in["vmm_type"] = std::string(ms::vmm_name(shape.vmm));
  in["guest_features"] = ms::hex_number(shape.guest_features);
  return in;
}

int run_image_measure(const MeasureArgs& a) {
  ms::ImageFiles files;
  ms::LaunchShape shape;
  std::optional<ms::MeasuredImage> measured;
  std::string label;
  if (!a.image.empty()) {
    auto c = compute_image(a.image);
    if (!c)
      return fail(c.error());
    files = c->image.files;
    shape = c->image.shape;
    measured = c->measured;
    label = c->label;
  } else {
    auto s = shape_of(a);
    if (!s)
      return fail(s.error());
    shape = *s;
    files = {a.ovmf, a.kernel, a.initrd, a.append};
    auto m = ms::measure_files(files, shape);
    if (!m)
      return fail(m.error());
    measured = *m;
  }
  const std::string hex = to_hex(measured->measurement);
  if (a.json) {
    ordered_json out{{"measurement", hex}, {"inputs", inputs_json(files, shape, *measured)}};
    if (!label.empty())
      out["label"] = label;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << hex << "\n";
  }
  return kOk;
}

int run_measure(const MeasureArgs& a) {
  const bool from_parts = !a.ovmf.empty();
  const int forms =
      static_cast<int>(!a.report.empty()) + static_cast<int>(from_parts) + static_cast<int>(!a.image.empty());
  if (forms != 1)
    return fail(
        bad("give one of REPORT (a report's measurement), --ovmf FILE (an image's parts and launch "
            "shape) or --image IMAGE.toml"));
  const bool shape_flags = !a.vcpus.empty() || !a.vcpu_type.empty() || !a.vcpu_sig.empty() ||
                           !a.vcpu_family.empty() || !a.vcpu_model.empty() || !a.vcpu_stepping.empty() ||
                           !a.kernel.empty() || !a.initrd.empty() || a.append;
  if (!from_parts && shape_flags)
    return fail(bad("--vcpus, --vcpu-*, --kernel, --initrd and --append go with --ovmf"));
  if (!a.report.empty())
    return run_report_measure(a);
  if (!a.label.empty())
    return fail(bad("--label goes with REPORT"));
  return run_image_measure(a);
}

// ---- sim launch ---------------------------------------------------------------------------------

struct SimLaunchArgs {
  std::string state;
  std::string image;
  bool json = false;
};

int run_sim_launch(const SimLaunchArgs& a) {
  auto c = compute_image(a.image);
  if (!c)
    return fail(c.error());
  const attest::LaunchedImage launched{c->measured.measurement, c->label};
  if (auto st = attest::record_launched_image(a.state, launched); !st)
    return fail(st.error());
  const std::string hex = to_hex(c->measured.measurement);
  if (a.json)
    std::cout << ordered_json{{"state", a.state}, {"image", c->image.name}, {"measurement", hex}}.dump()
              << "\n";
  else
    std::cout << "SIMULATED: the simulated firmware in " << a.state << " now reports image \""
              << c->image.name << "\": measurement " << hex << "\n";
  return kOk;
}

// ---- the allowlist hooks ------------------------------------------------------------------------

// Each image computed, by name; two descriptions of one name are refused.
Result<std::map<std::string, ComputedImage>> compute_images(const std::vector<std::string>& paths) {
  std::map<std::string, ComputedImage> out;
  for (const auto& p : paths) {
    auto c = compute_image(p);
    if (!c)
      return c.error();
    const std::string name = ms::image_name_of_label(c->label);
    if (out.contains(name))
      return bad("images " + out.at(name).image.source + " and " + p + " are both named \"" + name + "\"");
    out.emplace(name, std::move(*c));
  }
  return out;
}

Error rejected(const char* code, const std::string& message) {
  return make_error("cli", code, message, ErrorKind::kRejected);
}

}  // namespace

Result<std::vector<allowlist::Entry>> measured_entries(const std::vector<std::string>& images) {
  auto computed = compute_images(images);
  if (!computed)
    return computed.error();
  std::vector<allowlist::Entry> out;
  for (const auto& p : images) {
    for (auto& [name, c] : *computed) {
      if (c.image.source != p)
        continue;
      allowlist::Entry e;
      e.measurement = measurement_bytes(c);
      e.label = c.label;
      out.push_back(std::move(e));
    }
  }
  return out;
}

std::string describe_measured_entries(const allowlist::Update& update) {
  std::string out;
  for (const auto& e : update.add) {
    const std::string name = ms::image_name_of_label(e.label);
    if (name.empty())
      continue;
    out += "  image \"" + name + "\" -> " + to_hex(e.measurement) + ", computed from:\n";
    const std::string rest = e.label.substr(e.label.find("\": ") + 3);
    for (std::size_t start = 0; start <= rest.size();) {
      const auto end = rest.find("; ", start);
      out +=
          "    " + app::escape_text(rest.substr(start, end == std::string::npos ? end : end - start)) + "\n";
      if (end == std::string::npos)
        break;
      start = end + 2;
    }
  }
  return out.empty() ? out : "measured images (check each input against its release):\n" + out;
}

Result<std::string> recompute_measured(const allowlist::Update& update,
                                       const std::vector<std::string>& images) {
  if (images.empty())
    return std::string();
  auto computed = compute_images(images);
  if (!computed)
    return computed.error();
  std::string summary;
  std::set<std::string> recomputed;
  for (const auto& e : update.add) {
    const std::string name = ms::image_name_of_label(e.label);
    const auto it = computed->find(name);
    if (name.empty() || it == computed->end())
      return rejected("NOT_RECOMPUTED", "added measurement " + to_hex(e.measurement) + " (\"" +
                                            app::escape_text(e.label) +
                                            "\") is not recomputed by any given image");
    if (measurement_bytes(it->second) != e.measurement)
      return rejected("MEASUREMENT_MISMATCH", "image \"" + name + "\" (" + it->second.image.source +
                                                  ") computes " + to_hex(it->second.measured.measurement) +
                                                  ", the update adds " + to_hex(e.measurement));
    if (it->second.label != e.label)
      return rejected("MEASUREMENT_MISMATCH", "image \"" + name + "\" (" + it->second.image.source +
                                                  ") computes the label \"" + it->second.label +
                                                  "\", the update's entry says \"" +
                                                  app::escape_text(e.label) + "\"");
    recomputed.insert(name);
    summary += "recomputed image \"" + name + "\" from " + it->second.image.source + ": " +
               to_hex(e.measurement) + "\n";
  }
  for (const auto& [name, c] : *computed)
    if (!recomputed.contains(name))
      return rejected("NOT_RECOMPUTED",
                      "image \"" + name + "\" (" + c.image.source + ") has no entry in the update");
  return summary;
}

void add_measure_commands(CLI::App* al_cmd, Outcome& outcome) {
  auto me = std::make_shared<MeasureArgs>();
  auto* c = al_cmd->add_subcommand(
      "measure", "A report's measurement, or the measurement an image computes to (--ovmf ... or --image)");
  c->add_option("REPORT", me->report, "1184-byte report file");
  c->add_option("--label", me->label, "Label for the --add line (REPORT)");
  c->add_option("--image", me->image, "IMAGE.toml: an image description (attest/measure/README.md)");
  c->add_option("--ovmf", me->ovmf, "OVMF firmware image");
  c->add_option("--kernel", me->kernel, "Kernel of a direct boot");
  c->add_option("--initrd", me->initrd, "Initrd of a direct boot (with --kernel)");
  c->add_option("--append", me->append, "Kernel command line of a direct boot (with --kernel)");
  c->add_option("--vcpus", me->vcpus, "Number of vCPUs");
  c->add_option("--vcpu-type", me->vcpu_type,
                "QEMU CPU model: EPYC, EPYC-v4, EPYC-Rome, EPYC-Milan, EPYC-Genoa, ...");
  c->add_option("--vcpu-sig", me->vcpu_sig, "vCPU signature (CPUID 1 EAX), hex with 0x or decimal");
  c->add_option("--vcpu-family", me->vcpu_family, "vCPU family (with --vcpu-model, --vcpu-stepping)");
  c->add_option("--vcpu-model", me->vcpu_model, "vCPU model");
  c->add_option("--vcpu-stepping", me->vcpu_stepping, "vCPU stepping");
  c->add_option("--vmm-type", me->vmm, "QEMU, ec2 or gce")->capture_default_str();
  c->add_option("--guest-features", me->guest_features, "SEV features of the VMSA (0x1 = SNPActive)")
      ->capture_default_str();
  add_json_flag(c, me->json);
  c->callback([me, &outcome] { outcome.exit_code = run_measure(*me); });

  auto* sim = ensure_subcommand(*al_cmd->get_parent(), "sim", "Local stand-ins for AMD services");
  auto la = std::make_shared<SimLaunchArgs>();
  auto* launch = sim->add_subcommand(
      "launch", "Launch the simulated firmware with an image: its reports carry the image's measurement");
  launch->add_option("--sim-state", la->state, "The simulated firmware's state directory")->required();
  launch->add_option("--image", la->image, "IMAGE.toml: an image description")->required();
  add_json_flag(launch, la->json);
  launch->callback([la, &outcome] { outcome.exit_code = run_sim_launch(*la); });
}

}  // namespace snprelay::cli
