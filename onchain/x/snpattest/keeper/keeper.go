// Package keeper holds the snpattest state (cosmossdk.io/collections) and its rules: epochs and
// nonces (abci.go), the Msg service (msg_server.go, allowlist.go), operator status rules (status.go),
// queries (grpc_query.go) and genesis (genesis.go).
package keeper

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log"
	"github.com/cosmos/cosmos-sdk/codec"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/verify"
)

// Store prefixes of the collections; never renumber (they are the state layout, README.md).
var (
	ParamsKey            = collections.NewPrefix(0)
	SimRootsAllowedKey   = collections.NewPrefix(1)
	BlockHashesKey       = collections.NewPrefix(2)
	EpochsKey            = collections.NewPrefix(3)
	CurrentEpochKey      = collections.NewPrefix(4)
	RelayersKey          = collections.NewPrefix(5)
	SignersKey           = collections.NewPrefix(6)
	AllowlistVersionKey  = collections.NewPrefix(7)
	AllowlistUpdatesKey  = collections.NewPrefix(8)
	EntriesKey           = collections.NewPrefix(9)
	MinTcbKey            = collections.NewPrefix(10)
	StatusesKey          = collections.NewPrefix(11)
	AttestationsKey      = collections.NewPrefix(12)
	MeasurementIndexKey  = collections.NewPrefix(13)
	VceksKey             = collections.NewPrefix(14)
	SubmissionsKey       = collections.NewPrefix(15)
	GovernanceRevokedKey = collections.NewPrefix(16)
	AttemptsKey          = collections.NewPrefix(17)
	BlockAttemptsKey     = collections.NewPrefix(18)
	ChipOperatorsKey     = collections.NewPrefix(19)
	DeniedChipsKey       = collections.NewPrefix(20)
	DeniedCertsKey       = collections.NewPrefix(21)
	WithdrawnProductsKey = collections.NewPrefix(22)
	// 23 is unused (reserved).
	OperatorChipKey   = collections.NewPrefix(24)
	RecordsByEpochKey = collections.NewPrefix(25)
	VcekRefsKey       = collections.NewPrefix(26)
	// EnforcementStreaksKey (issue 23): enforcement "jail" bookkeeping, absent on a chain that never
	// enforced (no migration: a new collection only).
	EnforcementStreaksKey = collections.NewPrefix(27)
)

// Keeper owns the module's store. It is a value type; copies share the store and the roots cache.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService corestore.KVStoreService
	logger       log.Logger
	authority    string
	// authorityBytes is the decoded authority (compared as bytes, never as text).
	authorityBytes []byte
	accCodec       address.Codec
	valCodec       address.Codec
	staking        types.StakingKeeper
	roots          *rootsCache
	// wiring holds what the app sets after construction (SetHooks, SetSlashingKeeper); shared by
	// every copy of the keeper, so the app may set it after the module holds its copy.
	wiring *wiring

	Schema collections.Schema
	// Params are the module params (PROTOCOL.md Params).
	Params collections.Item[types.Params]
	// SimRootsAllowed is true when the chain's genesis had simulated_roots (MsgUpdateParams rule).
	SimRootsAllowed collections.Item[bool]
	// BlockHashes: height → hash of that block (HeaderInfo().Hash in BeginBlock); a two-entry ring.
	BlockHashes collections.Map[int64, []byte]
	// Epochs: epoch → NonceEpoch, the last nonce_retention_epochs of them.
	Epochs collections.Map[uint64, types.NonceEpoch]
	// CurrentEpoch is the latest started epoch (absent before the first).
	CurrentEpoch collections.Item[uint64]
	// Relayers: operator (valoper bech32) → relayer (account bech32).
	Relayers collections.Map[string, string]
	// Signers is the allowlist signer set, its threshold and set_version.
	Signers collections.Item[types.AllowlistSignerSet]
	// AllowlistVersion is the current allowlist version (absent = 0, no update applied).
	AllowlistVersion collections.Item[uint64]
	// AllowlistUpdates: version → the applied update (bytes, signatures, applied height).
	AllowlistUpdates collections.Map[uint64, types.AllowlistUpdateRecord]
	// Entries: measurement → the applied, unrevoked entry of the current allowlist.
	Entries collections.Map[[]byte, types.AllowlistEntry]
	// MinTcb: product → the current allowlist's min_tcb.
	MinTcb collections.Map[string, types.ProductTcb]
	// Statuses: operator → OperatorStatus.
	Statuses collections.Map[string, types.OperatorStatus]
	// Attestations: (operator, epoch) → the accepted record; one per pair.
	Attestations collections.Map[collections.Pair[string, uint64], types.AttestationRecord]
	// MeasurementIndex: (measurement, operator) for every status that names a measurement.
	MeasurementIndex collections.KeySet[collections.Pair[[]byte, string]]
	// Vceks: SHA-256 of the DER → the DER.
	Vceks collections.Map[[]byte, []byte]
	// Submissions: height → accepted submissions in that block (only the current height is kept).
	Submissions collections.Map[int64, uint64]
	// GovernanceRevoked: operators revoked by MsgRevokeOperator until MsgRestoreOperator.
	GovernanceRevoked collections.KeySet[string]
	// Attempts: (epoch, operator) → verification attempts counted by the ante decorator (failed ones
	// included); removed with the epoch's nonce.
	Attempts collections.Map[collections.Pair[uint64, string], uint32]
	// BlockAttempts: height → attempts counted for that block (only the current height is kept).
	BlockAttempts collections.Map[int64, uint32]
	// ChipOperators: (SHA-256 of CHIP_ID, operator) for every operator whose status came from that chip.
	ChipOperators collections.KeySet[collections.Pair[[]byte, string]]
	// DeniedChips, DeniedCerts (SHA-256 of a VCEK/VLEK/ASK DER), WithdrawnProducts: revocation below
	// the measurement, set by signed allowlist updates.
	DeniedChips       collections.KeySet[[]byte]
	DeniedCerts       collections.KeySet[[]byte]
	WithdrawnProducts collections.KeySet[string]
	// OperatorChip: operator → the chip (SHA-256 of CHIP_ID) it is bound to in ChipOperators.
	OperatorChip collections.Map[string, []byte]
	// RecordsByEpoch: (epoch, operator) for every record in Attestations, so retention pruning walks
	// the oldest epochs first.
	RecordsByEpoch collections.KeySet[collections.Pair[uint64, string]]
	// VcekRefs: SHA-256 of a stored VCEK → the number of records naming it; at 0 the VCEK is pruned.
	VcekRefs collections.Map[[]byte, uint64]
	// EnforcementStreaks: operator → epoch starts in a row at which it was not ATTESTED while
	// enforcement "jail" applied to it (0 = enforcement applies from the last epoch start). Kept for
	// bonded and jailed validators; cleared while enforcement is "none" (enforce.go).
	EnforcementStreaks collections.Map[string, uint32]
}

// NewKeeper builds the keeper. authority is the x/gov module account (bech32 account address) that
// alone may send MsgSetAllowlistSigners, MsgRevokeOperator, MsgRestoreOperator and MsgUpdateParams.
// accCodec and valCodec are the app's account and validator-operator address codecs: every address
// the module reads is decoded by them and stored in their canonical text (address.go).
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, logger log.Logger,
	authority string, stakingKeeper types.StakingKeeper, accCodec, valCodec address.Codec,
) Keeper {
	authBytes, err := accCodec.StringToBytes(authority)
	if err != nil {
		panic(fmt.Sprintf("snpattest: authority %q: %v", authority, err))
	}
	canonAuth, err := accCodec.BytesToString(authBytes)
	if err != nil {
		panic(fmt.Sprintf("snpattest: authority %q: %v", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:            cdc,
		storeService:   storeService,
		logger:         logger.With("module", "x/"+types.ModuleName),
		authority:      canonAuth,
		authorityBytes: authBytes,
		accCodec:       accCodec,
		valCodec:       valCodec,
		staking:        stakingKeeper,
		roots:          &rootsCache{},
		wiring:         &wiring{},

		Params:           collections.NewItem(sb, ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		SimRootsAllowed:  collections.NewItem(sb, SimRootsAllowedKey, "sim_roots_allowed", collections.BoolValue),
		BlockHashes:      collections.NewMap(sb, BlockHashesKey, "block_hashes", collections.Int64Key, collections.BytesValue),
		Epochs:           collections.NewMap(sb, EpochsKey, "epochs", collections.Uint64Key, codec.CollValue[types.NonceEpoch](cdc)),
		CurrentEpoch:     collections.NewItem(sb, CurrentEpochKey, "current_epoch", collections.Uint64Value),
		Relayers:         collections.NewMap(sb, RelayersKey, "relayers", collections.StringKey, collections.StringValue),
		Signers:          collections.NewItem(sb, SignersKey, "signers", codec.CollValue[types.AllowlistSignerSet](cdc)),
		AllowlistVersion: collections.NewItem(sb, AllowlistVersionKey, "allowlist_version", collections.Uint64Value),
		AllowlistUpdates: collections.NewMap(sb, AllowlistUpdatesKey, "allowlist_updates", collections.Uint64Key, codec.CollValue[types.AllowlistUpdateRecord](cdc)),
		Entries:          collections.NewMap(sb, EntriesKey, "entries", collections.BytesKey, codec.CollValue[types.AllowlistEntry](cdc)),
		MinTcb:           collections.NewMap(sb, MinTcbKey, "min_tcb", collections.StringKey, codec.CollValue[types.ProductTcb](cdc)),
		Statuses:         collections.NewMap(sb, StatusesKey, "statuses", collections.StringKey, codec.CollValue[types.OperatorStatus](cdc)),
		Attestations: collections.NewMap(sb, AttestationsKey, "attestations",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.AttestationRecord](cdc)),
		MeasurementIndex: collections.NewKeySet(sb, MeasurementIndexKey, "measurement_index",
			collections.PairKeyCodec(collections.BytesKey, collections.StringKey)),
		Vceks:             collections.NewMap(sb, VceksKey, "vceks", collections.BytesKey, collections.BytesValue),
		Submissions:       collections.NewMap(sb, SubmissionsKey, "submissions", collections.Int64Key, collections.Uint64Value),
		GovernanceRevoked: collections.NewKeySet(sb, GovernanceRevokedKey, "governance_revoked", collections.StringKey),
		Attempts: collections.NewMap(sb, AttemptsKey, "attempts",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), collections.Uint32Value),
		BlockAttempts: collections.NewMap(sb, BlockAttemptsKey, "block_attempts", collections.Int64Key, collections.Uint32Value),
		ChipOperators: collections.NewKeySet(sb, ChipOperatorsKey, "chip_operators",
			collections.PairKeyCodec(collections.BytesKey, collections.StringKey)),
		DeniedChips:       collections.NewKeySet(sb, DeniedChipsKey, "denied_chips", collections.BytesKey),
		DeniedCerts:       collections.NewKeySet(sb, DeniedCertsKey, "denied_certs", collections.BytesKey),
		WithdrawnProducts: collections.NewKeySet(sb, WithdrawnProductsKey, "withdrawn_products", collections.StringKey),
		OperatorChip:      collections.NewMap(sb, OperatorChipKey, "operator_chip", collections.StringKey, collections.BytesValue),
		RecordsByEpoch: collections.NewKeySet(sb, RecordsByEpochKey, "records_by_epoch",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey)),
		VcekRefs:           collections.NewMap(sb, VcekRefsKey, "vcek_refs", collections.BytesKey, collections.Uint64Value),
		EnforcementStreaks: collections.NewMap(sb, EnforcementStreaksKey, "enforcement_streaks", collections.StringKey, collections.Uint32Value),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(fmt.Sprintf("snpattest: building the collections schema: %v", err))
	}
	k.Schema = schema
	return k
}

// Authority is the address allowed to send the governance messages.
func (k Keeper) Authority() string { return k.authority }

// Logger is the module logger.
func (k Keeper) Logger() log.Logger { return k.logger }

// rootsCache holds the verify.Roots built for one simulated_roots value. Rebuilt when the params'
// simulated_roots change; the mutex only guards against a query or simulation running beside
// FinalizeBlock (the result does not depend on who builds it first).
type rootsCache struct {
	mu    sync.Mutex
	key   [32]byte
	built bool
	roots *verify.Roots
}

func rootsKey(simulatedRoots [][]byte) [32]byte {
	h := sha256.New()
	for _, r := range simulatedRoots {
		var n [8]byte
		for i := 0; i < 8; i++ {
			n[i] = byte(uint64(len(r)) >> (56 - 8*i))
		}
		h.Write(n[:])
		h.Write(r)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Roots returns the trust anchors for params, building them once per simulated_roots value.
func (k Keeper) Roots(params types.Params) (*verify.Roots, error) {
	key := rootsKey(params.SimulatedRoots)
	k.roots.mu.Lock()
	defer k.roots.mu.Unlock()
	if k.roots.built && bytes.Equal(k.roots.key[:], key[:]) {
		return k.roots.roots, nil
	}
	r, err := verify.NewRoots(params.SimulatedRoots)
	if err != nil {
		return nil, err
	}
	k.roots.key, k.roots.roots, k.roots.built = key, r, true
	return r, nil
}
