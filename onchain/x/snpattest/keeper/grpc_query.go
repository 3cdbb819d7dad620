package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// MaxAllowlistUpdatesLimit caps QueryAllowlistUpdatesRequest.limit (PROTOCOL.md: ≤ 100).
const MaxAllowlistUpdatesLimit = 100

type queryServer struct {
	k Keeper
}

// NewQueryServerImpl returns the snpattest.v1.Query service over k. Errors are gRPC statuses
// (NotFound, InvalidArgument) so abci_query keeps their meaning.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

var _ types.QueryServer = queryServer{}

func internal(err error) error {
	return status.Error(codes.Internal, err.Error())
}

func (q queryServer) CurrentEpoch(ctx context.Context, _ *types.QueryCurrentEpochRequest) (*types.QueryCurrentEpochResponse, error) {
	cur, err := q.k.CurrentEpoch.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		params, perr := q.k.Params.Get(ctx)
		if perr != nil {
			return nil, internal(perr)
		}
		h := sdk.UnwrapSDKContext(ctx).BlockHeight()
		if h < 0 {
			h = 0
		}
		first := (uint64(h)/params.EpochBlocks + 1) * params.EpochBlocks
		return nil, status.Errorf(codes.NotFound, "no epoch has started yet; the first starts at height %d", first)
	} else if err != nil {
		return nil, internal(err)
	}
	ep, err := q.k.Epochs.Get(ctx, cur)
	if err != nil {
		return nil, internal(err)
	}
	remaining := ep.DeadlineHeight - sdk.UnwrapSDKContext(ctx).BlockHeight()
	if remaining < 0 {
		remaining = 0
	}
	return &types.QueryCurrentEpochResponse{Epoch: &ep, BlocksRemaining: remaining}, nil
}

func (q queryServer) Epoch(ctx context.Context, req *types.QueryEpochRequest) (*types.QueryEpochResponse, error) {
	if req == nil || req.Epoch == 0 {
		return nil, status.Error(codes.InvalidArgument, "epoch must be > 0")
	}
	ep, err := q.k.Epochs.Get(ctx, req.Epoch)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "epoch %d is not started or no longer retained", req.Epoch)
	} else if err != nil {
		return nil, internal(err)
	}
	return &types.QueryEpochResponse{Epoch: &ep}, nil
}

func (q queryServer) Allowlist(ctx context.Context, req *types.QueryAllowlistRequest) (*types.QueryAllowlistResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	cur, err := q.k.currentAllowlistVersion(ctx)
	if err != nil {
		return nil, internal(err)
	}
	v := req.Version
	if v == 0 {
		v = cur
	}
	if v == 0 {
		return nil, status.Error(codes.NotFound, "no allowlist update has been applied")
	}
	if v > cur {
		return nil, status.Errorf(codes.NotFound, "allowlist version %d does not exist (current %d)", v, cur)
	}
	rec, err := q.k.AllowlistUpdates.Get(ctx, v)
	if err != nil {
		return nil, internal(err)
	}
	var entries []*types.AllowlistEntry
	if v == cur {
		vals, err := collectValues(ctx, q.k.Entries)
		if err != nil {
			return nil, internal(err)
		}
		for i := range vals {
			entries = append(entries, &vals[i])
		}
	} else if entries, err = q.k.allowlistEntriesAt(ctx, v); err != nil {
		return nil, internal(err)
	}
	return &types.QueryAllowlistResponse{
		Version: v, UpdateSha256: types.UpdateHash(rec.UpdateBytes), Entries: entries,
		UpdateBytes: rec.UpdateBytes, Signatures: rec.Signatures,
	}, nil
}

func (q queryServer) AllowlistUpdates(ctx context.Context, req *types.QueryAllowlistUpdatesRequest) (*types.QueryAllowlistUpdatesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if req.Limit > MaxAllowlistUpdatesLimit {
		return nil, status.Errorf(codes.InvalidArgument, "limit %d exceeds %d", req.Limit, MaxAllowlistUpdatesLimit)
	}
	limit := req.Limit
	if limit == 0 {
		limit = MaxAllowlistUpdatesLimit
	}
	from := req.FromVersion
	if from == 0 {
		from = 1
	}
	it, err := q.k.AllowlistUpdates.Iterate(ctx, new(collections.Range[uint64]).StartInclusive(from))
	if err != nil {
		return nil, internal(err)
	}
	defer it.Close()
	resp := &types.QueryAllowlistUpdatesResponse{}
	for ; it.Valid() && uint32(len(resp.Updates)) < limit; it.Next() {
		rec, err := it.Value()
		if err != nil {
			return nil, internal(err)
		}
		resp.Updates = append(resp.Updates, &rec)
	}
	return resp, nil
}

func (q queryServer) AllowlistSigners(ctx context.Context, _ *types.QueryAllowlistSignersRequest) (*types.QueryAllowlistSignersResponse, error) {
	s, err := q.k.signerSet(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryAllowlistSignersResponse{Signers: s.Signers, Threshold: s.Threshold, SetVersion: s.SetVersion}, nil
}

// operator resolves a query's operator (any spelling of the address) to the canonical text the
// state is keyed by.
func (q queryServer) operator(op string) (string, error) {
	if op == "" {
		return "", status.Error(codes.InvalidArgument, "operator is empty")
	}
	canon, err := q.k.ResolveOperator(op)
	if err != nil {
		return "", status.Errorf(codes.InvalidArgument, "operator %q is not a validator operator address: %v", op, err)
	}
	return canon, nil
}

func (q queryServer) OperatorStatus(ctx context.Context, req *types.QueryOperatorStatusRequest) (*types.QueryOperatorStatusResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	op, err := q.operator(req.Operator)
	if err != nil {
		return nil, err
	}
	st, err := q.k.Statuses.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "operator %s has no status", req.Operator)
	} else if err != nil {
		return nil, internal(err)
	}
	return &types.QueryOperatorStatusResponse{Status: &st}, nil
}

func (q queryServer) OperatorStatuses(ctx context.Context, req *types.QueryOperatorStatusesRequest) (*types.QueryOperatorStatusesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.OperatorStatus_Status_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown status filter %d", req.Status)
	}
	statuses, page, err := query.CollectionFilteredPaginate(ctx, q.k.Statuses, req.Pagination,
		func(_ string, st types.OperatorStatus) (bool, error) {
			return req.Status == types.OperatorStatus_STATUS_UNSPECIFIED || st.Status == req.Status, nil
		},
		func(_ string, st types.OperatorStatus) (*types.OperatorStatus, error) { return &st, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryOperatorStatusesResponse{Statuses: statuses, Pagination: page}, nil
}

func (q queryServer) Attestation(ctx context.Context, req *types.QueryAttestationRequest) (*types.QueryAttestationResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	op, err := q.operator(req.Operator)
	if err != nil {
		return nil, err
	}
	rec, err := q.k.Attestations.Get(ctx, collections.Join(op, req.Epoch))
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no accepted attestation for operator %s in epoch %d", req.Operator, req.Epoch)
	} else if err != nil {
		return nil, internal(err)
	}
	return &types.QueryAttestationResponse{Record: &rec}, nil
}

func (q queryServer) Relayer(ctx context.Context, req *types.QueryRelayerRequest) (*types.QueryRelayerResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	op, err := q.operator(req.Operator)
	if err != nil {
		return nil, err
	}
	r, err := q.k.Relayers.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "operator %s has no relayer", req.Operator)
	} else if err != nil {
		return nil, internal(err)
	}
	return &types.QueryRelayerResponse{Relayer: r}, nil
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryParamsResponse{Params: &p}, nil
}

func (q queryServer) AttestedPower(ctx context.Context, _ *types.QueryAttestedPowerRequest) (*types.QueryAttestedPowerResponse, error) {
	p, err := q.k.AttestedPower(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryAttestedPowerResponse{
		BondedValidators: p.BondedValidators, AttestedValidators: p.AttestedValidators,
		BondedTokens: p.BondedTokens.String(), AttestedTokens: p.AttestedTokens.String(),
		AttestedShare: p.Share().String(),
	}, nil
}
