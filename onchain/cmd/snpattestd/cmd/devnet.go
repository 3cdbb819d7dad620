package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// DevnetCmd groups `devnet init` and `devnet start`.
func DevnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "A ready local chain on loopback: 1 validator or an N-validator localnet",
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// The devnet commands manage whole devnet directories: they must not get the root's pre-run,
		// which would write a default node config into --home before init checks it is empty.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		SilenceUsage:      true,
	}
	cmd.AddCommand(devnetInitCmd(), devnetStartCmd())
	return cmd
}

func devnetInitCmd() *cobra.Command {
	var o devnetInitOptions
	cmd := &cobra.Command{
		Use:   "init --home DIR",
		Short: "Write a ready devnet: node homes DIR/node<i>, genesis, keys in DIR/keys, DIR/devnet.json",
		Long: `Writes one node home per validator (DIR/node0, DIR/node1, ...) sharing one genesis:
  - funded accounts: each validator's operator (val<i>) and relayer (relayer<i>), plus faucet, alice, bob;
    every mnemonic is a file DIR/keys/<name>.mnemonic (0600, directory 0700), standard HD path
    m/44'/118'/0'/0/0; every node's test keyring (--keyring-backend test) holds all of them;
  - x/gov with small deposits (1000stake, expedited 2000stake) and a short --voting-period;
  - x/snpattest: epoch_blocks = --epoch-blocks, submit_window_blocks (default 80% of the epoch),
    allow_debug false, simulated_roots = DER of SIMDIR/ark.pem and SIMDIR/ask.pem with --sim-state,
    max_operators_per_chip = --max-operators-per-chip (default: the number of validators),
    enforcement = --enforcement (none|jail), jail_after_epochs = --jail-after-epochs,
    consensus block.max_gas = 20000000 (about 66 verifications per block),
    allowlist signers signer1..3 (threshold 2) and the first allowlist update (version 1) holding
    the simulated guest's measurement SHA-384("snprelay simulated guest"), signed by signer1 and signer2;
  - config.toml per node: loopback ports picked free now (node0's RPC = --rpc-port when given),
    timeout_commit = --block-time, kv tx index, persistent peers, pprof off; app.toml charges
    0.025stake per gas; client.toml points at the node.
DIR/devnet.json describes it all (absolute paths). Run it with 'snpattestd devnet start --home DIR'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.home == "" {
				return fmt.Errorf("--home DIR is required")
			}
			m, err := runDevnetInit(o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "devnet %s: %d validator(s), rpc %v\nwrote %s/devnet.json\n",
				m.ChainID, len(m.Validators), m.RPC, o.home)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.home, "home", "", "devnet directory (created; must be empty or absent)")
	f.StringVar(&o.chainID, "chain-id", "snpdev-1", "chain id")
	f.IntVar(&o.validators, "validators", 1, "number of validators (one node each)")
	f.StringVar(&o.simState, "sim-state", "", "the simulated firmware's state directory (ark.pem, ask.pem) for simulated_roots")
	f.DurationVar(&o.blockTime, "block-time", 500*time.Millisecond, "target block time (timeout_commit)")
	f.Uint64Var(&o.epochBlocks, "epoch-blocks", 10, "x/snpattest epoch length in blocks")
	f.Uint64Var(&o.submitWindow, "submit-window-blocks", 0, "x/snpattest submit window (0 = 80% of --epoch-blocks)")
	f.IntVar(&o.rpcPort, "rpc-port", 0, "node0's RPC port (0 = a free port)")
	f.DurationVar(&o.votingPeriod, "voting-period", 10*time.Second, "x/gov voting period (expedited: half)")
	f.Uint32Var(&o.maxOperatorsPerChip, "max-operators-per-chip", 0,
		"x/snpattest max_operators_per_chip (0 = the number of validators: they share one simulated chip today)")
	f.StringVar(&o.enforcement, "enforcement", snptypes.EnforcementNone,
		"x/snpattest enforcement: none (report only) or jail (jail bonded validators not ATTESTED for --jail-after-epochs epochs)")
	f.Uint32Var(&o.jailAfterEpochs, "jail-after-epochs", snptypes.DefaultParams().JailAfterEpochs,
		"x/snpattest jail_after_epochs (with --enforcement jail)")
	return cmd
}
