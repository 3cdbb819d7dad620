// `snprelay allowlist ...` through the real binary, offline (issue #12): bad input to every command is a
// clear error naming what was wrong and exit 2, with any database untouched (same bytes) or never
// created; and the offline governance flow new -> sign -> combine -> verify with a key from the key
// store, plus verify-db on a copy built by the library (ok, then a corrupted row named, exit 1).
// The on-chain half (submit, sync, show --node) is devnet_allowlist_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "allowlist/store.hpp"
#include "db/database.hpp"
#include "tests/integration/run_process.hpp"
#include "tests/unit/allowlist/fixtures.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::allowlist {
namespace {

using nlohmann::json;
using snprelay::testing::ProcessResult;

// The BIP-39 test mnemonic (all-zero entropy).
constexpr const char* kMnemonic =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AllowlistCli : public ::testing::Test {
 protected:
  void SetUp() override {
    keyring_ = dir_.file("keyring");
    // A database at version 3 built by the library, signed by the fixture's 2 of 3 governance keys.
    db_ = dir_.file("allowlist.db");
    {
      auto store = Store::open(db_, testing::kChainId, testing::gov_set());
      ASSERT_TRUE(store.ok()) << store.error().to_string();
      for (const auto& r : testing::chain_of(3))
        ASSERT_TRUE(store->apply(r).ok());
    }
    db_bytes_ = slurp(db_);
    ASSERT_FALSE(db_bytes_.empty());
    json set = {{"threshold", 2}, {"signers", json::array()}};
    for (int i = 0; i < 3; ++i)
      set["signers"].push_back(
          {{"key_id", testing::gov_id(i)}, {"pubkey", to_hex(testing::gov_key(i).pubkey)}});
    signers_ = write("signers.json", set.dump());
    const auto rec = testing::chain_of(1).at(0);
    update_ = write("update.bin", std::string(rec.update_bytes.begin(), rec.update_bytes.end()));
    hash_ = to_hex(update_hash(rec.update_bytes));
    sig0_ = write("sig0.json", sig_json(rec, 0).dump());
    sig1_ = write("sig1.json", sig_json(rec, 1).dump());
  }

  json sig_json(const UpdateRecord& rec, int key) const {
    const Signature s = testing::sign(rec.update_bytes, key);
    return {{"key_id", s.key_id},
            {"pubkey", to_hex(testing::gov_key(key).pubkey)},
            {"signature", to_hex(s.signature)},
            {"update_sha256", to_hex(update_hash(rec.update_bytes))}};
  }

  std::string write(const std::string& name, const std::string& content) const {
    std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  ProcessResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {SNPRELAY_BIN, "allowlist"});
    return snprelay::testing::run_process(
        args, {{"SNPRELAY_KEY_PASSPHRASE", "allowlist cli test"}, {"SNPRELAY_KEYRING_DIR", keyring_}});
  }

  // Exit 2 with `says` in the error, the database unchanged.
  void expect_input_error(const std::vector<std::string>& args, const std::string& says) const {
    std::string line;
    for (const auto& a : args)
      line += a + " ";
    const auto r = cli(args);
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << line << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.find("Segmentation"), std::string::npos);
    EXPECT_EQ(slurp(db_), db_bytes_) << line << ": the database changed";
  }

  snprelay::testing::TempDir dir_;
  std::string keyring_;
  std::string db_;
  std::string db_bytes_;
  std::string signers_;
  std::string update_;
  std::string hash_;
  std::string sig0_;
  std::string sig1_;
};

TEST_F(AllowlistCli, NewRefusesBadInput) {
  const std::string m(96, 'a');
  const std::string out = dir_.file("new.bin");
  expect_input_error({"new", "--add", m, "-o", out}, "--chain-id and --version");
  expect_input_error({"new", "--chain-id", "c", "--version", "0", "--add", m, "-o", out}, "at least 1");
  expect_input_error({"new", "--chain-id", "c", "--version", "2", "--add", m, "-o", out},
                     "--prev-hash is required");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--add", "abcd:x", "-o", out}, "--add");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--revoke", m + "00", "-o", out},
                     "--revoke");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--min-tcb", "Rome:1,2,3,4", "-o", out},
                     "Milan, Genoa or Turin");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--min-tcb", "Milan:1,2,3", "-o", out},
                     "4 or 5 numbers");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--min-tcb", "Milan:1,2,3,256", "-o", out},
                     "--min-tcb");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "-o", out}, "changes nothing");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--add", m, "--add", m, "-o", out},
                     "listed twice");
  expect_input_error({"new", "--from-chain", "--add", m, "-o", out}, "--from-chain needs --node");
  expect_input_error(
      {"new", "--chain-id", "c", "--version", "1", "--add", m, "--valid-until-height", "-1", "-o", out},
      "--valid-until-height");
  expect_input_error({"new", "--chain-id", "c", "--version", "1", "--add", m}, "--out");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(AllowlistCli, SignCombineVerifyRefuseBadInput) {
  const std::string garbage = write("garbage.bin", "not an update");
  const std::string out = dir_.file("out.json");
  expect_input_error({"sign", garbage, "--key", "gov", "-o", out}, "is not a valid allowlist update");
  expect_input_error({"sign", dir_.file("missing.bin"), "--key", "gov", "-o", out}, "missing.bin");
  expect_input_error({"sign", update_, "--key", "nobody", "-o", out}, "nobody");
  expect_input_error({"combine", garbage, sig0_, "-o", out}, "is not a valid allowlist update");
  expect_input_error({"combine", update_, sig0_, sig0_, "-o", out}, "signed twice");
  // A signature over another update (version 2 of the chain).
  const auto other = testing::chain_of(2).at(1);
  const std::string foreign = write("foreign.json", sig_json(other, 0).dump());
  expect_input_error({"combine", update_, sig0_, foreign, "-o", out}, "not this update");
  json bad_sig = json::parse(slurp(sig1_));
  std::string flipped = bad_sig["signature"];
  flipped[0] = flipped[0] == '0' ? '1' : '0';  // r changed: a forged signature
  bad_sig["signature"] = flipped;
  expect_input_error({"combine", update_, write("forged.json", bad_sig.dump()), "-o", out},
                     "does not verify");
  bad_sig["signature"] = "abcd";
  expect_input_error({"combine", update_, write("short.json", bad_sig.dump()), "-o", out}, "64 bytes");
  expect_input_error({"combine", update_, write("notjson.json", "{"), "-o", out}, "is not a JSON object");
  expect_input_error({"combine", update_, "-o", out}, "SIGS");
  EXPECT_FALSE(std::filesystem::exists(out));

  expect_input_error({"verify", update_, sig0_, sig1_}, "no signer set");
  expect_input_error({"verify", update_, sig0_, sig1_, "--signers", signers_, "--threshold", "4"},
                     "BAD_SIGNER_SET");
  expect_input_error({"verify", update_, sig0_, sig1_, "--signers", signers_, "--threshold", "-1"},
                     "--threshold");
  json broken = json::parse(slurp(signers_));
  broken["signers"][1]["pubkey"] = "02" + std::string(64, 'z');
  expect_input_error({"verify", update_, sig0_, sig1_, "--signers", write("broken.json", broken.dump())},
                     "pubkey");
  broken["signers"][1]["pubkey"] = "04" + std::string(64, '1');
  expect_input_error({"verify", update_, sig0_, sig1_, "--signers", write("broken.json", broken.dump())},
                     "pubkey");
  const std::string cfg = write("bad.toml", "[allowlist]\ngovernance_keys = [\"02ab\"]\n");
  expect_input_error({"verify", update_, sig0_, sig1_, "--config", cfg}, "[allowlist.signers]");

  // Well-formed: two signatures meet the threshold (exit 0), one does not (exit 1, "1 of 2").
  auto ok = cli({"verify", update_, sig0_, sig1_, "--signers", signers_, "--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["signer_ids"].size(), 2u);
  auto one = cli({"verify", update_, sig0_, "--signers", signers_});
  EXPECT_EQ(one.exit_code, 1) << one.err;
  EXPECT_NE(one.err.find("1 of 2 required signatures"), std::string::npos) << one.err;
}

TEST_F(AllowlistCli, SubmitShowMeasureRefuseBadInput) {
  const std::string dead = "http://127.0.0.1:1";
  expect_input_error({"submit", write("empty.json", "{}"), "--from", "x", "--node", dead}, "update_bytes");
  json msg = {{"update_bytes", "zz"}, {"signatures", json::array()}};
  expect_input_error({"submit", write("m1.json", msg.dump()), "--from", "x", "--node", dead}, "update_bytes");
  msg["update_bytes"] = to_hex(testing::chain_of(1).at(0).update_bytes);
  msg["update_sha256"] = hash_;
  expect_input_error({"submit", write("m2.json", msg.dump()), "--from", "x", "--node", dead},
                     "no signatures");
  msg["update_sha256"] = std::string(64, '0');
  expect_input_error({"submit", write("m3.json", msg.dump()), "--from", "x", "--node", dead},
                     "not this update");

  expect_input_error({"show"}, "show one thing");
  expect_input_error({"show", update_, "--db", db_}, "show one thing");
  const std::string absent = dir_.file("absent.db");
  expect_input_error({"show", "--db", absent}, "does not exist");
  EXPECT_FALSE(std::filesystem::exists(absent));
  const std::string text =
      write("text.db", "this is not SQLite at all, just text long enough to be a file\n");
  const std::string before = slurp(text);
  auto r = cli({"show", "--db", text});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(slurp(text), before);

  expect_input_error({"measure", update_}, "SIZE_INVALID");
  expect_input_error({"measure", dir_.file("nope.bin")}, "nope.bin");
  expect_input_error({"measure", dir_.path().string()}, "");
}

TEST_F(AllowlistCli, SyncAndVerifyDbRefuseBadInputDatabaseUntouched) {
  const std::string dead = "http://127.0.0.1:1";
  expect_input_error({"sync", "--node", dead, "--db", db_}, "no signer set");
  expect_input_error({"sync", "--node", dead, "--db", db_, "--signers", signers_, "--threshold", "9"},
                     "BAD_SIGNER_SET");
  expect_input_error({"sync", "--node", dead, "--db", db_, "--signers", dir_.file("none.json")}, "none.json");
  expect_input_error({"sync", "--node", "ftp://x", "--db", db_, "--signers", signers_}, "http");
  expect_input_error({"sync", "--node", dead, "--signers", signers_}, "--db");
  const std::string fresh = dir_.file("fresh.db");
  expect_input_error({"sync", "--node", dead, "--db", fresh, "--threshold", "2"}, "no signer set");
  EXPECT_FALSE(std::filesystem::exists(fresh));
  // No node answers: nothing was created either (exit 3, a runtime failure, not input).
  auto unreachable = cli({"sync", "--node", dead, "--timeout", "1", "--db", fresh, "--signers", signers_,
                          "--chain-id", testing::kChainId});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.err;
  EXPECT_FALSE(std::filesystem::exists(fresh));

  expect_input_error({"verify-db", "--db", db_}, "no signer set");
  expect_input_error({"verify-db", "--db", fresh, "--signers", signers_}, "not an existing file");
  EXPECT_FALSE(std::filesystem::exists(fresh));
  expect_input_error({"verify-db", "--db", db_, "--signers", signers_, "--threshold", "0"}, "BAD_SIGNER_SET");

  // The copy verifies (its chain id from the copy itself, or given); another pinned set does not open it.
  auto ok = cli({"verify-db", "--db", db_, "--signers", signers_, "--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(json::parse(ok.out)["versions_checked"], 3);
  EXPECT_EQ(slurp(db_), db_bytes_);
  auto shown = cli({"show", "--db", db_, "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["version"], 3);

  // A corrupted row: named, exit 1.
  {
    auto db = db::Database::open(db_, store_migrations());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("UPDATE updates SET update_hash = zeroblob(32) WHERE version = 2").ok());
  }
  auto bad =
      cli({"verify-db", "--db", db_, "--signers", signers_, "--chain-id", testing::kChainId, "--json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_EQ(json::parse(bad.out)["ok"], false);
  EXPECT_NE(bad.out.find("version 2"), std::string::npos) << bad.out;
  EXPECT_NE(bad.err.find("first bad row"), std::string::npos) << bad.err;
}

TEST_F(AllowlistCli, OfflineFlowNewSignCombineVerifyWithAStoredKey) {
  const std::string mnemonic = write("gov.mnemonic", kMnemonic);
  ASSERT_EQ(::chmod(mnemonic.c_str(), 0600), 0);  // secrets must be private (issue 21)
  auto added = snprelay::testing::run_process(
      {SNPRELAY_BIN, "keys", "add", "gov", "--recover", "--mnemonic-file", mnemonic, "--json"},
      {{"SNPRELAY_KEY_PASSPHRASE", "allowlist cli test"}, {"SNPRELAY_KEYRING_DIR", keyring_}});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string m(96, 'c');
  auto made = cli({"new", "--chain-id", "offline-1", "--version", "1", "--add", m + ":image", "--min-tcb",
                   "Genoa:3,0,20,219", "--valid-until-height", "500", "-o", dir_.file("u.bin"), "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(json::parse(made.out)["prev_hash"], std::string(64, '0'));
  auto sig =
      cli({"sign", dir_.file("u.bin"), "--key", "gov", "--key-id", "gov-a", "-o", dir_.file("a.json")});
  ASSERT_EQ(sig.exit_code, 0) << sig.err;
  EXPECT_NE(sig.err.find("MIN TCB Genoa: boot_loader 3, tee 0, snp 20, microcode 219"), std::string::npos)
      << sig.err;
  EXPECT_NE(sig.err.find("valid until height 500"), std::string::npos) << sig.err;
  const json a = json::parse(slurp(dir_.file("a.json")));
  EXPECT_EQ(a["key_id"], "gov-a");
  const std::string set =
      write("one.json",
            json{{"threshold", 1}, {"signers", {{{"key_id", "gov-a"}, {"pubkey", a["pubkey"]}}}}}.dump());
  auto v = cli({"verify", dir_.file("u.bin"), dir_.file("a.json"), "--signers", set});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  auto c = cli({"combine", dir_.file("u.bin"), dir_.file("a.json"), "-o", dir_.file("msg.json")});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json msg = json::parse(slurp(dir_.file("msg.json")));
  EXPECT_EQ(msg["type"], "/snpattest.v1.MsgUpdateAllowlist");
  EXPECT_EQ(msg["signatures"].size(), 1u);
  // A msg.json is also a signature file for verify.
  EXPECT_EQ(cli({"verify", dir_.file("u.bin"), dir_.file("msg.json"), "--signers", set}).exit_code, 0);
  auto shown = cli({"show", dir_.file("u.bin"), "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["min_tcb"][0]["microcode"], 219);
}

}  // namespace
}  // namespace snprelay::allowlist
