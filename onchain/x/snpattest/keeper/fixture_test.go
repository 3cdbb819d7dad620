package keeper_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"testing"
	"time"

	"cosmossdk.io/core/header"
	"cosmossdk.io/log"
	"cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

const chainID = "snptest-1"

// The address codecs of a chain with the SDK's default "cosmos" prefixes (what sdk.AccAddress.String uses here).
var (
	accCodec = addresscodec.NewBech32Codec("cosmos")
	valCodec = addresscodec.NewBech32Codec("cosmosvaloper")
)

var (
	govAddr   = authtypes.NewModuleAddress("gov").String()
	operator1 = sdk.ValAddress(bytesOf(1, 20)).String()
	operator2 = sdk.ValAddress(bytesOf(2, 20)).String()
	unknownOp = sdk.ValAddress(bytesOf(9, 20)).String()
	relayer1  = sdk.AccAddress(bytesOf(11, 20)).String()
	relayer2  = sdk.AccAddress(bytesOf(12, 20)).String()
	t0        = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// fakeStaking knows a fixed set of validators, their tokens and whether each is jailed (x/staking's
// GetValidator contract: ErrNoValidatorFound; GetBondedValidatorsByPower: the unjailed ones, most
// tokens first — jailed validators leave the bonded set). It is also the fake x/slashing: Jail.
type fakeStaking struct {
	tokens map[string]int64
	jailed map[string]bool
	jails  *[]string // every Jail call, in order
}

func newFakeStaking(tokens map[string]int64) fakeStaking {
	return fakeStaking{tokens: tokens, jailed: map[string]bool{}, jails: new([]string)}
}

// consKey is a deterministic consensus key per operator, so GetConsAddr maps back to it.
func consKey(op string) cryptotypes.PubKey {
	s := sha256.Sum256([]byte(op))
	return ed25519.GenPrivKeyFromSecret(s[:]).PubKey()
}

func (f fakeStaking) validator(op string) stakingtypes.Validator {
	v, err := stakingtypes.NewValidator(op, consKey(op), stakingtypes.Description{})
	if err != nil {
		panic(err)
	}
	v.Tokens, v.Status, v.Jailed = math.NewInt(f.tokens[op]), stakingtypes.Bonded, f.jailed[op]
	if v.Jailed {
		v.Status = stakingtypes.Unbonding
	}
	return v
}

func (f fakeStaking) GetValidator(_ context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error) {
	if _, ok := f.tokens[addr.String()]; !ok {
		return stakingtypes.Validator{}, stakingtypes.ErrNoValidatorFound
	}
	return f.validator(addr.String()), nil
}

func (f fakeStaking) GetBondedValidatorsByPower(_ context.Context) ([]stakingtypes.Validator, error) {
	vals := make([]stakingtypes.Validator, 0, len(f.tokens))
	for op := range f.tokens {
		if !f.jailed[op] {
			vals = append(vals, f.validator(op))
		}
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i].Tokens.GT(vals[j].Tokens) })
	return vals, nil
}

func (f fakeStaking) Jail(_ context.Context, cons sdk.ConsAddress) error {
	for op := range f.tokens {
		if sdk.ConsAddress(consKey(op).Address()).Equals(cons) {
			if f.jailed[op] {
				return fmt.Errorf("%s is already jailed", op)
			}
			f.jailed[op] = true
			*f.jails = append(*f.jails, op)
			return nil
		}
	}
	return fmt.Errorf("no validator with consensus address %s", cons)
}

type fixture struct {
	t   testing.TB
	key *storetypes.KVStoreKey
	ctx sdk.Context
	k   keeper.Keeper
	msg types.MsgServer
	q   types.QueryServer
	// staking is the fake x/staking and x/slashing the keeper sees.
	staking fakeStaking
}

// The fake bonded tokens of the two test operators (operator1 holds 3/4 of the bonded set).
const (
	stakeOperator1 = 300
	stakeOperator2 = 100
)

// testParams: 10-block epochs with a 5-block submit window, retention 3.
func testParams() types.Params {
	p := types.DefaultParams()
	p.EpochBlocks = 10
	p.SubmitWindowBlocks = 5
	p.NonceRetentionEpochs = 3
	p.MaxSubmissionsPerBlock = 2
	// The Go-minted simulated chain has one chip, which both test operators attest with.
	p.MaxOperatorsPerChip = 2
	return p
}

func newFixture(t testing.TB, gs *types.GenesisState) *fixture {
	t.Helper()
	f := newFixtureNoInit(t)
	if gs == nil {
		gs = types.DefaultGenesis()
		p := testParams()
		gs.Params = &p
	}
	if err := f.k.InitGenesis(f.ctx, gs); err != nil {
		t.Fatalf("InitGenesis: %v", err)
	}
	return f
}

// newFixtureNoInit is a keeper over an empty store (no InitGenesis yet).
func newFixtureNoInit(t testing.TB) *fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tc := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("transient_"+types.StoreKey))
	enc := moduletestutil.MakeTestEncodingConfig()
	staking := newFakeStaking(map[string]int64{operator1: stakeOperator1, operator2: stakeOperator2})
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), log.NewNopLogger(), govAddr, staking, accCodec, valCodec)
	k.SetSlashingKeeper(staking)
	f := &fixture{t: t, key: key, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k), staking: staking}
	f.ctx = tc.Ctx.WithChainID(chainID).WithBlockHeight(0).WithBlockTime(t0).WithExecMode(sdk.ExecModeFinalize)
	return f
}

// blockHash is the fake hash of block h.
func blockHash(h int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h))
	s := sha256.Sum256(append([]byte("block"), b[:]...))
	return s[:]
}

// block runs BeginBlock for height h as FinalizeBlock would (HeaderInfo().Hash = hash of block h).
func (f *fixture) block(h int64) {
	f.t.Helper()
	tm := t0.Add(time.Duration(h) * time.Second)
	f.ctx = f.ctx.WithBlockHeight(h).WithBlockTime(tm).WithEventManager(sdk.NewEventManager()).
		WithHeaderInfo(header.Info{Height: h, Hash: blockHash(h), Time: tm, ChainID: chainID}).
		WithGasMeter(storetypes.NewInfiniteGasMeter())
	if err := f.k.BeginBlock(f.ctx); err != nil {
		f.t.Fatalf("BeginBlock(%d): %v", h, err)
	}
}

// run runs blocks from the current height + 1 through h.
func (f *fixture) runTo(h int64) {
	for x := f.ctx.BlockHeight() + 1; x <= h; x++ {
		f.block(x)
	}
}

// eventTypes lists the types of the events emitted in the current context.
func (f *fixture) eventTypes() []string {
	var out []string
	for _, e := range f.ctx.EventManager().Events() {
		out = append(out, e.Type)
	}
	return out
}

func hasEvent(f *fixture, typ string) bool {
	for _, e := range f.eventTypes() {
		if e == typ {
			return true
		}
	}
	return false
}

// signer is an allowlist signer from a fixed seed.
type signer struct {
	id   string
	priv *secp256k1.PrivKey
}

func newSigner(id string) signer {
	return signer{id: id, priv: secp256k1.GenPrivKeyFromSecret([]byte("snpattest test signer " + id))}
}

func (s signer) key() *types.SignerKey {
	return &types.SignerKey{KeyId: s.id, Pubkey: s.priv.PubKey().Bytes()}
}

// sign signs AllowlistDigest(updateBytes): the SDK key hashes "snprelay/allowlist/v1" ‖ update_bytes
// with SHA-256 and returns a 64-byte low-S signature.
func (s signer) sign(t testing.TB, updateBytes []byte) *types.AllowlistSignature {
	t.Helper()
	sig, err := s.priv.Sign(append([]byte("snprelay/allowlist/v1"), updateBytes...))
	if err != nil {
		t.Fatal(err)
	}
	return &types.AllowlistSignature{KeyId: s.id, Signature: sig}
}

func mustCode(t *testing.T, err error, codespace string, code uint32) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s/%d, got nil", codespace, code)
	}
	cs, c, _ := errorsABCI(err)
	if cs != codespace || c != code {
		t.Fatalf("want error %s/%d, got %s/%d: %v", codespace, code, cs, c, err)
	}
}

// submit delivers a MsgSubmitAttestation as baseapp does: the module's ante decorator (its writes
// kept whatever follows), then the handler in a branch written only on success.
func (f *fixture) submit(msg *types.MsgSubmitAttestation) (*types.MsgSubmitAttestationResponse, error) {
	if err := f.k.CountAttempt(f.ctx, msg); err != nil {
		return nil, err
	}
	cc, write := f.ctx.CacheContext()
	resp, err := f.msg.SubmitAttestation(cc, msg)
	if err == nil {
		write()
	}
	return resp, err
}
