package app

import (
	"testing"

	"cosmossdk.io/log"
	dbm "github.com/cosmos/cosmos-db"
)

type noAppOptions struct{}

func (noAppOptions) Get(string) any { return nil }

func newTestApp(t *testing.T) *App {
	t.Helper()
	SetSDKConfig()
	return New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, noAppOptions{})
}

func TestAppWiresEveryModule(t *testing.T) {
	a := newTestApp(t)
	gs := a.DefaultGenesis()
	tests := []struct {
		module     string
		beginBlock bool
		hasGenesis bool
		hasAutoCLI bool
	}{
		{"auth", false, true, true},
		{"bank", false, true, true},
		{"staking", true, true, true},
		{"distribution", true, true, true},
		{"gov", false, true, true},
		{"consensus", false, true, true},
		{"genutil", false, true, false},
		{"slashing", true, true, true},
		{"snpattest", true, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.module, func(t *testing.T) {
			if _, ok := a.ModuleManager.Modules[tc.module]; !ok {
				t.Fatalf("module %s is not in the module manager", tc.module)
			}
			if _, ok := gs[tc.module]; ok != tc.hasGenesis {
				t.Errorf("default genesis has %s: %v, want %v", tc.module, ok, tc.hasGenesis)
			}
			if got := contains(a.ModuleManager.OrderBeginBlockers, tc.module); got != tc.beginBlock {
				t.Errorf("%s in BeginBlockers: %v, want %v", tc.module, got, tc.beginBlock)
			}
			if !contains(a.ModuleManager.OrderInitGenesis, tc.module) {
				t.Errorf("%s is not in the InitGenesis order", tc.module)
			}
			if _, ok := a.AutoCliOpts().ModuleOptions[tc.module]; tc.hasAutoCLI && !ok {
				t.Errorf("autocli options for %s missing", tc.module)
			}
		})
	}
	if len(a.ModuleManager.Modules) != len(tests) {
		t.Errorf("%d modules wired, want %d", len(a.ModuleManager.Modules), len(tests))
	}
	if got := a.ModuleManager.OrderPreBlockers; len(got) != 1 || got[0] != "auth" {
		t.Errorf("PreBlockers %v, want [auth]", got)
	}
}

func TestGenesisOrderPutsGenutilAfterStakingAndSnpattestLast(t *testing.T) {
	order := newTestApp(t).ModuleManager.OrderInitGenesis
	idx := map[string]int{}
	for i, m := range order {
		idx[m] = i
	}
	if idx["genutil"] < idx["staking"] {
		t.Errorf("genutil (%d) must come after staking (%d): %v", idx["genutil"], idx["staking"], order)
	}
	if order[len(order)-1] != "snpattest" {
		t.Errorf("snpattest must be last in InitGenesis: %v", order)
	}
}

func TestMsgServicesAreRouted(t *testing.T) {
	a := newTestApp(t)
	for _, msg := range []string{
		"/cosmos.bank.v1beta1.MsgSend",
		"/cosmos.gov.v1.MsgSubmitProposal",
		"/cosmos.staking.v1beta1.MsgCreateValidator",
		"/snpattest.v1.MsgSubmitAttestation",
		"/snpattest.v1.MsgSetRelayer",
		"/snpattest.v1.MsgUpdateAllowlist",
		"/snpattest.v1.MsgUpdateParams",
		"/snpattest.v1.MsgSetAllowlistSigners",
	} {
		if a.MsgServiceRouter().HandlerByTypeURL(msg) == nil {
			t.Errorf("no handler for %s", msg)
		}
	}
	if GovAuthority() != "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn" {
		t.Errorf("gov authority %s", GovAuthority())
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
