// Recovery rules (relayer/daemon/recovery.hpp): one row per case, named after the situation it models
// (the crash point or the chain's answer) and the action it must lead to.
#include "relayer/daemon/recovery.hpp"

#include <gtest/gtest.h>

#include "chain/tx/sign_direct.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::daemon {
namespace {

using Kind = RecoveryAction::Kind;

const std::string kHash = "5F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8";

Entry entry_in(State state) {
  Entry e;
  e.operator_address = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";
  e.epoch = 41;
  e.state = state;
  if (state != State::kPrepared) {
    e.txhash = kHash;
    e.tx_bytes = {0x0a, 0x02, 0x01, 0x02};
    e.sequence = 7;
  }
  return e;
}

RecoveryFacts open_window() {
  RecoveryFacts f;
  f.current_epoch = 41;
  f.window_open = true;
  return f;
}
RecoveryFacts closed_window() {
  RecoveryFacts f = open_window();
  f.current_epoch = 43;
  f.window_open = false;
  return f;
}
RecoveryFacts with_tx(RecoveryFacts f, std::uint32_t code, const std::string& codespace,
                      const std::string& log) {
  f.tx = IncludedTx{120, code, codespace, log};
  return f;
}
RecoveryFacts with_attestation(RecoveryFacts f) {
  f.attestation_on_chain = true;
  f.attestation_height = 95;
  return f;
}
RecoveryFacts sent_blocks_ago(RecoveryFacts f, std::int64_t blocks) {
  f.blocks_since_sent = blocks;
  return f;
}

struct Case {
  std::string name;
  State state;
  RecoveryFacts facts;
  Kind want;
  std::int64_t want_height;
  std::string reason_has;
};

class RecoveryRules : public ::testing::TestWithParam<Case> {};

TEST_P(RecoveryRules, Decides) {
  const Case& c = GetParam();
  const RecoveryAction a = decide(entry_in(c.state), c.facts);
  EXPECT_EQ(action_name(a.kind), std::string(action_name(c.want))) << a.reason;
  EXPECT_EQ(a.height, c.want_height);
  EXPECT_NE(a.reason.find(c.reason_has), std::string::npos) << a.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RecoveryRules,
    ::testing::Values(
        Case{"KilledBeforeBroadcast_WindowOpen_StartsFresh", State::kPrepared, open_window(),
             Kind::kStartFresh, 0, "sign now"},
        Case{"KilledBeforeBroadcast_WindowClosed_MarksMissed", State::kPrepared, closed_window(),
             Kind::kMarkMissed, 0, "epoch 41 closed (chain at epoch 43) before a submission was broadcast"},
        Case{"KilledAfterBroadcastBeforeConfirm_RebroadcastsSameBytes", State::kBroadcast, open_window(),
             Kind::kRebroadcast, 0, "send the same bytes again"},
        Case{"AdmittedByThisProcessWithinGrace_Waits", State::kBroadcast, sent_blocks_ago(open_window(), 2),
             Kind::kWait, 0, "admitted 2 block(s) ago"},
        Case{"AdmittedByThisProcessGracePassed_RebroadcastsSameBytes", State::kBroadcast,
             sent_blocks_ago(open_window(), 3), Kind::kRebroadcast, 0, kHash},
        Case{"BroadcastNeverIncludedWindowClosed_MarksMissed", State::kBroadcast, closed_window(),
             Kind::kMarkMissed, 0, "tx " + kHash + " was never included"},
        Case{"KilledAfterConfirm_IncludedWithCodeZero_MarksCommitted", State::kBroadcast,
             with_tx(open_window(), 0, "", ""), Kind::kMarkCommitted, 120, "executed"},
        Case{"IncludedAfterWindowClosed_MarksCommitted", State::kBroadcast,
             with_tx(closed_window(), 0, "", ""), Kind::kMarkCommitted, 120, "block 120"},
        Case{"IncludedButReportRejected_MarksFailed", State::kBroadcast,
             with_tx(open_window(), 2, "snpattest", "report rejected: TCB_BELOW_MINIMUM"), Kind::kMarkFailed,
             0, "snpattest code 2: report rejected: TCB_BELOW_MINIMUM"},
        Case{"IncludedOutOfGas_MarksFailedEvenWithinWindow", State::kBroadcast,
             with_tx(open_window(), 11, "sdk", "out of gas"), Kind::kMarkFailed, 0, "sdk code 11"},
        Case{"DuplicateOfOurAcceptedAttestation_MarksCommittedAtItsHeight", State::kBroadcast,
             with_attestation(with_tx(open_window(), 4, "snpattest", "duplicate submission")),
             Kind::kMarkCommitted, 95, "duplicate of the accepted attestation"},
        Case{"DuplicateButNoAttestationOnChain_MarksFailed", State::kBroadcast,
             with_tx(open_window(), 4, "snpattest", "duplicate submission"), Kind::kMarkFailed, 0,
             "snpattest code 4"},
        Case{"Code4OfAnotherCodespace_MarksFailed", State::kBroadcast,
             with_attestation(with_tx(open_window(), 4, "sdk", "unauthorized")), Kind::kMarkFailed, 0,
             "sdk code 4"},
        Case{"TxNotIndexedButAttestationOnChain_MarksCommitted", State::kBroadcast,
             with_attestation(open_window()), Kind::kMarkCommitted, 95, "tx not found by hash"},
        Case{"PreparedButAttestationOnChain_MarksCommitted", State::kPrepared,
             with_attestation(closed_window()), Kind::kMarkCommitted, 95, "holds the accepted attestation"},
        Case{"CommittedEntry_NothingToDo", State::kCommitted, open_window(), Kind::kNone, 0,
             "already committed"},
        Case{"MissedEntry_NothingEvenIfTxShowsUp", State::kMissed, with_tx(open_window(), 0, "", ""),
             Kind::kNone, 0, "already missed"}),
    [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

TEST(RecoveryRules, BroadcastEntryIsNeverStartedFresh) {
  // Whatever the mempool timing, an entry with recorded bytes only ever re-sends those bytes.
  for (const std::optional<std::int64_t> blocks :
       {std::optional<std::int64_t>(), std::optional<std::int64_t>(0), std::optional<std::int64_t>(1),
        std::optional<std::int64_t>(50)}) {
    RecoveryFacts f = open_window();
    f.blocks_since_sent = blocks;
    const Kind k = decide(entry_in(State::kBroadcast), f).kind;
    EXPECT_TRUE(k == Kind::kRebroadcast || k == Kind::kWait) << action_name(k);
  }
}

TEST(RecoveryRules, GraceIsAPolicy) {
  RecoveryPolicy none;
  none.mempool_grace_blocks = 0;
  EXPECT_EQ(decide(entry_in(State::kBroadcast), sent_blocks_ago(open_window(), 0), none).kind,
            Kind::kRebroadcast);
  RecoveryPolicy long_grace;
  long_grace.mempool_grace_blocks = 10;
  EXPECT_EQ(decide(entry_in(State::kBroadcast), sent_blocks_ago(open_window(), 9), long_grace).kind,
            Kind::kWait);
}

TEST(RecoveryRules, RecordWritesOnlyTheDecisionsThatEndAnEntry) {
  testing::TempDir dir("snprelay-recovery");
  auto journal = Journal::open(dir.file("journal.db"));
  ASSERT_TRUE(journal.ok()) << journal.error().to_string();
  const std::string op = entry_in(State::kPrepared).operator_address;
  BroadcastRecord r{"", Bytes{0x0a, 0x02, 0x01, 0x02}, 7};
  r.txhash = chain::tx::tx_hash(r.tx_bytes);
  for (const std::uint64_t epoch : {41, 42, 43}) {
    ASSERT_TRUE(journal->prepare(op, epoch, 10).ok());
    ASSERT_TRUE(journal->record_broadcast(op, epoch, r, false, 11).ok());
  }
  auto act = [&](std::uint64_t epoch, const RecoveryFacts& facts) {
    const Entry e = **journal->get(op, epoch);
    const RecoveryAction a = decide(e, facts);
    EXPECT_TRUE(record(*journal, e, a, 20).ok()) << action_name(a.kind);
    return (*journal->get(op, epoch))->state;
  };
  EXPECT_EQ(act(41, with_tx(open_window(), 0, "", "")), State::kCommitted);
  EXPECT_EQ((*journal->get(op, 41))->height, 120);
  EXPECT_EQ(act(42, closed_window()), State::kMissed);
  EXPECT_NE((*journal->get(op, 42))->reason.find("was never included"), std::string::npos);
  EXPECT_EQ(act(43, open_window()), State::kBroadcast);  // rebroadcast: the caller's job, nothing written
  EXPECT_EQ(journal->history(op, 43)->size(), 2u);
}

// ---- the submission window (PROTOCOL.md "Nonce epochs", the module's epochForSubmission) -------------
struct WindowCase {
  std::string name;
  WindowFacts facts;
  bool open;
};

class EpochWindow : public ::testing::TestWithParam<WindowCase> {};

TEST_P(EpochWindow, OpenOrClosed) {
  EXPECT_EQ(epoch_window_open(GetParam().facts), GetParam().open);
}

// Epoch 10 starts at 6000 with deadline 6300 (epoch_blocks 600, submit_window_blocks 300).
INSTANTIATE_TEST_SUITE_P(
    Cases, EpochWindow,
    ::testing::Values(
        WindowCase{"CurrentEpochWellBeforeDeadline_Open", {10, 10, 6300, 6100, false}, true},
        WindowCase{"CurrentEpochNextBlockIsLastAccepted_Open", {10, 10, 6300, 6298, false}, true},
        WindowCase{
            "CurrentEpochNextBlockIsDeadline_ClosedWithoutPrevious", {10, 10, 6300, 6299, false}, false},
        WindowCase{"CurrentEpochPastDeadline_ReopensNextEpochWithPrevious", {10, 10, 6300, 6450, true}, true},
        WindowCase{"PreviousEpochWithinCurrentWindow_OpenWhenAccepted", {9, 10, 6300, 6100, true}, true},
        WindowCase{
            "PreviousEpochWithinCurrentWindow_ClosedWhenNotAccepted", {9, 10, 6300, 6100, false}, false},
        WindowCase{"PreviousEpochPastCurrentDeadline_Closed", {9, 10, 6300, 6299, true}, false},
        WindowCase{"TwoEpochsBack_Closed", {8, 10, 6300, 6100, true}, false},
        WindowCase{"EpochAheadOfTheChain_Closed", {11, 10, 6300, 6100, true}, false},
        WindowCase{"CurrentEpochZeroHasNoPrevious_Closed", {~0ULL, 0, 300, 100, true}, false}),
    [](const ::testing::TestParamInfo<WindowCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace snprelay::daemon
