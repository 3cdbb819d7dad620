package keeper

import (
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Migrator holds the module's in-place store migrations.
type Migrator struct{ k Keeper }

// NewMigrator returns the migrations of k.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 re-keys a ConsensusVersion 1 state by canonical addresses (issue 20: v1 keyed operators
// and relayers by the text sent, so an all-upper-case alias could hold a second binding, record and
// status). Every spelling of one operator merges into its canonical key:
//   - governance revocation: revoked under any spelling → revoked (and its status REVOKED);
//   - relayer binding: the canonical key's binding wins, else the alias's (relayer text canonicalised);
//   - attestation records: the canonical key's record for an epoch wins, else the alias's;
//   - status: the one with the later last_epoch wins; on a tie the more severe (REVOKED > STALE >
//     ATTESTED); the measurement index is rebuilt for the merged statuses.
//
// Spellings are visited in key order, so the result does not depend on map iteration.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	k := m.k
	if err := m.defaultNewParams(ctx); err != nil {
		return err
	}
	canonOp := func(s string) (string, error) { return k.ResolveOperator(s) }
	canonAcc := func(s string) (string, error) {
		c, _, err := canonical(k.accCodec, "account", s)
		return c, err
	}

	revoked, err := keysOf(ctx, k.GovernanceRevoked)
	if err != nil {
		return err
	}
	for _, op := range revoked {
		c, err := canonOp(op)
		if err != nil {
			return fmt.Errorf("governance_revoked %q: %w", op, err)
		}
		if c != op {
			if err := k.GovernanceRevoked.Remove(ctx, op); err != nil {
				return err
			}
			if err := k.GovernanceRevoked.Set(ctx, c); err != nil {
				return err
			}
		}
	}

	relayers, err := pairsOf(ctx, k.Relayers)
	if err != nil {
		return err
	}
	for _, p := range relayers {
		c, err := canonOp(p.key)
		if err != nil {
			return fmt.Errorf("relayer binding of %q: %w", p.key, err)
		}
		rel, err := canonAcc(p.val)
		if err != nil {
			return fmt.Errorf("relayer of %q: %w", p.key, err)
		}
		if c == p.key {
			if rel != p.val {
				if err := k.Relayers.Set(ctx, c, rel); err != nil {
					return err
				}
			}
			continue
		}
		if err := k.Relayers.Remove(ctx, p.key); err != nil {
			return err
		}
		if has, err := k.Relayers.Has(ctx, c); err != nil {
			return err
		} else if !has {
			if err := k.Relayers.Set(ctx, c, rel); err != nil {
				return err
			}
		}
	}

	records, err := pairsOf(ctx, k.Attestations)
	if err != nil {
		return err
	}
	for _, p := range records {
		c, err := canonOp(p.key.K1())
		if err != nil {
			return fmt.Errorf("attestation of %q: %w", p.key.K1(), err)
		}
		rel, err := canonAcc(p.val.Relayer)
		if err != nil {
			return fmt.Errorf("attestation relayer %q: %w", p.val.Relayer, err)
		}
		rec := p.val
		rec.Operator, rec.Relayer = c, rel
		if c != p.key.K1() {
			if err := k.Attestations.Remove(ctx, p.key); err != nil {
				return err
			}
			if has, err := k.Attestations.Has(ctx, collections.Join(c, p.key.K2())); err != nil {
				return err
			} else if has {
				continue
			}
		}
		if err := k.Attestations.Set(ctx, collections.Join(c, p.key.K2()), rec); err != nil {
			return err
		}
	}

	if err := k.rebuildRecordIndexes(ctx); err != nil {
		return err
	}

	// Statuses and the index: clear the index, merge, rebuild.
	idx, err := keysOf(ctx, k.MeasurementIndex)
	if err != nil {
		return err
	}
	for _, key := range idx {
		if err := k.MeasurementIndex.Remove(ctx, key); err != nil {
			return err
		}
	}
	statuses, err := pairsOf(ctx, k.Statuses)
	if err != nil {
		return err
	}
	merged := map[string]types.OperatorStatus{}
	var order []string
	for _, p := range statuses {
		c, err := canonOp(p.key)
		if err != nil {
			return fmt.Errorf("status of %q: %w", p.key, err)
		}
		st := p.val
		st.Operator = c
		if st.Relayer != "" {
			if st.Relayer, err = canonAcc(st.Relayer); err != nil {
				return fmt.Errorf("status relayer %q: %w", p.val.Relayer, err)
			}
		}
		if c != p.key {
			if err := k.Statuses.Remove(ctx, p.key); err != nil {
				return err
			}
		}
		prev, seen := merged[c]
		if !seen {
			order = append(order, c)
			merged[c] = st
			continue
		}
		if st.LastEpoch > prev.LastEpoch || (st.LastEpoch == prev.LastEpoch && severity(st.Status) > severity(prev.Status)) {
			merged[c] = st
		}
	}
	for _, op := range order {
		st := merged[op]
		if gov, err := k.GovernanceRevoked.Has(ctx, op); err != nil {
			return err
		} else if gov && st.Status != types.OperatorStatus_STATUS_REVOKED {
			st.Status = types.OperatorStatus_STATUS_REVOKED
			st.Reason = "governance: revocation recorded under another spelling of the operator address (migration to v2)"
		}
		if err := k.Statuses.Set(ctx, op, st); err != nil {
			return err
		}
		if len(st.Measurement) > 0 {
			if err := k.MeasurementIndex.Set(ctx, collections.Join(st.Measurement, op)); err != nil {
				return err
			}
		}
		// v2's chip bindings start from the chip of each ATTESTED operator's carrying record.
		if st.Status == types.OperatorStatus_STATUS_ATTESTED {
			rec, err := k.Attestations.Get(ctx, collections.Join(op, st.LastEpoch))
			if err == nil && len(rec.ChipIdSha256) > 0 {
				if err := k.bindChip(ctx, op, rec.ChipIdSha256); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// severity orders statuses for the migration's tie-break.
func severity(s types.OperatorStatus_Status) int {
	switch s {
	case types.OperatorStatus_STATUS_REVOKED:
		return 3
	case types.OperatorStatus_STATUS_STALE:
		return 2
	case types.OperatorStatus_STATUS_ATTESTED:
		return 1
	}
	return 0
}

type kvPair[K, V any] struct {
	key K
	val V
}

func pairsOf[K, V any](ctx sdk.Context, m collections.Map[K, V]) ([]kvPair[K, V], error) {
	it, err := m.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	kvs, err := it.KeyValues()
	if err != nil {
		return nil, err
	}
	out := make([]kvPair[K, V], len(kvs))
	for i, kv := range kvs {
		out[i] = kvPair[K, V]{kv.Key, kv.Value}
	}
	return out, nil
}

func keysOf[K any](ctx sdk.Context, s collections.KeySet[K]) ([]K, error) {
	it, err := s.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return it.Keys()
}

// defaultNewParams gives the Params fields added in v2 their defaults (a v1 state has them 0, which
// Validate refuses).
func (m Migrator) defaultNewParams(ctx sdk.Context) error {
	p, err := m.k.Params.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil // a store the module never initialised: nothing to migrate
	} else if err != nil {
		return err
	}
	d := types.DefaultParams()
	if p.MaxAttemptsPerOperatorEpoch == 0 {
		p.MaxAttemptsPerOperatorEpoch = d.MaxAttemptsPerOperatorEpoch
	}
	if p.MaxAttemptsPerBlock == 0 {
		p.MaxAttemptsPerBlock = d.MaxAttemptsPerBlock
	}
	if p.MaxOperatorsPerChip == 0 {
		p.MaxOperatorsPerChip = d.MaxOperatorsPerChip
	}
	if p.RecordRetentionEpochs == 0 {
		p.RecordRetentionEpochs = d.RecordRetentionEpochs
	}
	if p.PrunePerBlock == 0 {
		p.PrunePerBlock = d.PrunePerBlock
	}
	// Debug guests only on a simulated chain (issue 20): a v1 chain without simulated roots loses
	// allow_debug, and the simulated-roots flag follows the roots the chain holds.
	if len(p.SimulatedRoots) == 0 {
		p.AllowDebug = false
		if err := m.k.SimRootsAllowed.Set(ctx, false); err != nil {
			return err
		}
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("params after migration: %w", err)
	}
	return m.k.Params.Set(ctx, p)
}
