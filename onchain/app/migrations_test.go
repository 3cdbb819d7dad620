package app

import (
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// The module manager knows how to bring an x/snpattest v1 store to the current ConsensusVersion: an
// upgrade handler calling RunMigrations with snpattest at 1 runs the registered Migrate1to2.
func TestSnpattestMigrationRegistered(t *testing.T) {
	a := newTestApp(t)
	from := a.ModuleManager.GetVersionMap()
	if from[snptypes.ModuleName] < 2 {
		t.Fatalf("snpattest ConsensusVersion %d, want >= 2", from[snptypes.ModuleName])
	}
	from[snptypes.ModuleName] = 1
	ctx := a.NewUncachedContext(false, cmtproto.Header{ChainID: "migrate-1", Height: 1})
	got, err := a.ModuleManager.RunMigrations(ctx, a.configurator, from)
	if err != nil {
		t.Fatalf("RunMigrations from snpattest v1: %v", err)
	}
	if want := a.ModuleManager.GetVersionMap()[snptypes.ModuleName]; got[snptypes.ModuleName] != want {
		t.Fatalf("after migration snpattest is at %d, want %d", got[snptypes.ModuleName], want)
	}
}
