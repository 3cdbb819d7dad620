package cmd

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	cmttypes "github.com/cometbft/cometbft/types"
	"os"
	"path/filepath"
	"time"

	"cosmossdk.io/log"
	"cosmossdk.io/math"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/tx"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// devnetInitOptions are the flags of `devnet init`.
type devnetInitOptions struct {
	home         string
	chainID      string
	validators   int
	simState     string
	blockTime    time.Duration
	epochBlocks  uint64
	submitWindow uint64 // 0 = default (see defaultSubmitWindow)
	rpcPort      int
	votingPeriod time.Duration
	// maxOperatorsPerChip is x/snpattest's max_operators_per_chip (0 = the number of validators).
	maxOperatorsPerChip uint32
	// enforcement and jailAfterEpochs are x/snpattest's enforcement params (issue 23).
	enforcement     string
	jailAfterEpochs uint32
}

// Balances at genesis (in stake). Each validator bonds validatorBond of its operator's balance.
var (
	operatorBalance = math.NewInt(100_000_000_000_000)
	validatorBond   = math.NewInt(100_000_000_000)
	relayerBalance  = math.NewInt(1_000_000_000_000)
	accountBalance  = math.NewInt(10_000_000_000_000)
)

// devnetAccountNames are the extra funded accounts listed under "accounts" in devnet.json.
var devnetAccountNames = []string{"faucet", "alice", "bob"}

const (
	signerCount     = 3
	signerThreshold = 2
)

// defaultSubmitWindow is the submit window when --submit-window-blocks is not given: 80% of the
// epoch (at least 1 block, at most epoch_blocks-1 when the epoch has more than one block). Shorter
// than the epoch, so a closed window can be observed, yet several blocks long at devnet block times,
// so a relayer has time to fetch the nonce, get a report and have its transaction included.
func defaultSubmitWindow(epochBlocks uint64) uint64 {
	w := epochBlocks * 8 / 10
	if w == 0 {
		w = 1
	}
	if w >= epochBlocks && epochBlocks > 1 {
		w = epochBlocks - 1
	}
	return w
}

type devnetNode struct {
	moniker  string
	home     string
	ports    nodePorts
	nodeID   string
	consPub  cryptotypes.PubKey
	operator devnetKey
	relayer  devnetKey
}

// runDevnetInit writes a ready devnet under o.home (see DevnetCmd's help) and returns the manifest.
func runDevnetInit(o devnetInitOptions) (*devnetManifest, error) {
	if o.validators < 1 {
		return nil, errors.New("--validators must be at least 1")
	}
	if o.epochBlocks < 1 {
		return nil, errors.New("--epoch-blocks must be at least 1")
	}
	if o.enforcement == "" {
		o.enforcement = snptypes.EnforcementNone
	}
	if o.enforcement != snptypes.EnforcementNone && o.enforcement != snptypes.EnforcementJail {
		return nil, fmt.Errorf("--enforcement %q: want %s or %s", o.enforcement, snptypes.EnforcementNone, snptypes.EnforcementJail)
	}
	if o.enforcement == snptypes.EnforcementJail && o.jailAfterEpochs < 1 {
		return nil, errors.New("--jail-after-epochs must be at least 1 with --enforcement jail")
	}
	if o.submitWindow == 0 {
		o.submitWindow = defaultSubmitWindow(o.epochBlocks)
	}
	if o.submitWindow > o.epochBlocks {
		return nil, fmt.Errorf("--submit-window-blocks %d is longer than --epoch-blocks %d", o.submitWindow, o.epochBlocks)
	}
	home, err := filepath.Abs(o.home)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(home); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("--home %s exists and is not empty: devnet init never overwrites a devnet", home)
	}
	var simRoots [][]byte
	label := "sim-guest"
	measurement, memo := SimulatedMeasurement(), "devnet genesis: the simulated firmware's guest"
	simState := ""
	if o.simState != "" {
		if simState, err = filepath.Abs(o.simState); err != nil {
			return nil, err
		}
		roots, product, err := readSimRoots(o.simState)
		if err != nil {
			return nil, err
		}
		simRoots = roots
		if product != "" {
			label = "sim-" + product
		}
		image, err := readLaunchedImage(o.simState)
		if err != nil {
			return nil, err
		}
		if image != nil {
			measurement, label = image.measurement, image.label
			memo = "devnet genesis: the image the simulated firmware was launched with"
		}
	}

	keysDir := filepath.Join(home, "keys")
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(keysDir, 0o700); err != nil {
		return nil, err
	}
	ports, err := pickPorts(o.validators, o.rpcPort)
	if err != nil {
		return nil, err
	}

	// A throw-away app supplies the codecs and every module's default genesis.
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, emptyAppOptions{})
	cdc := tempApp.AppCodec()
	txConfig := tempApp.TxConfig()

	// Keys: validators' operators and relayers, extra accounts, allowlist signers.
	nodes := make([]*devnetNode, o.validators)
	var funded []fundedAccount
	for i := range nodes {
		n := &devnetNode{moniker: fmt.Sprintf("node%d", i), home: filepath.Join(home, fmt.Sprintf("node%d", i)), ports: ports[i]}
		if n.operator, err = newDevnetKey(keysDir, fmt.Sprintf("val%d", i)); err != nil {
			return nil, err
		}
		if n.relayer, err = newDevnetKey(keysDir, fmt.Sprintf("relayer%d", i)); err != nil {
			return nil, err
		}
		funded = append(funded, fundedAccount{n.operator.address(), operatorBalance},
			fundedAccount{n.relayer.address(), relayerBalance})
		nodes[i] = n
	}
	var accounts []devnetKey
	for _, name := range devnetAccountNames {
		k, err := newDevnetKey(keysDir, name)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, k)
		funded = append(funded, fundedAccount{k.address(), accountBalance})
	}
	var signers []devnetKey
	for i := 1; i <= signerCount; i++ {
		k, err := newDevnetKey(keysDir, fmt.Sprintf("signer%d", i))
		if err != nil {
			return nil, err
		}
		signers = append(signers, k)
	}

	// Genesis app state before the gentxs.
	gs := tempApp.DefaultGenesis()
	if err := setAuthBank(cdc, gs, funded); err != nil {
		return nil, err
	}
	if err := setGovParams(cdc, gs, o.votingPeriod); err != nil {
		return nil, err
	}
	if err := setSnpattest(cdc, gs, snpattestGenesis{
		chainID: o.chainID, epochBlocks: o.epochBlocks, submitWindow: o.submitWindow,
		signers: signers, threshold: signerThreshold, simulatedRoots: simRoots, label: label,
		measurement: measurement, memo: memo,
		maxOperatorsPerChip: devnetMaxOperatorsPerChip(o),
		enforcement:         o.enforcement, jailAfterEpochs: o.jailAfterEpochs,
	}); err != nil {
		return nil, err
	}

	// Node homes: CometBFT keys, every account key in a test keyring, one gentx per validator.
	gentxDir := filepath.Join(home, "gentxs")
	if err := os.MkdirAll(gentxDir, 0o700); err != nil {
		return nil, err
	}
	allKeys := append([]devnetKey{}, accounts...)
	for _, n := range nodes {
		allKeys = append(allKeys, n.operator, n.relayer)
	}
	for _, n := range nodes {
		cfg := cometConfig(n.home, n.moniker, n.ports, o.blockTime, nil)
		for _, d := range []string{filepath.Join(n.home, "config"), filepath.Join(n.home, "data")} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, err
			}
		}
		if n.nodeID, n.consPub, err = genutil.InitializeNodeValidatorFiles(cfg); err != nil {
			return nil, err
		}
		kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, n.home, nil, cdc)
		if err != nil {
			return nil, err
		}
		for _, k := range allKeys {
			if _, err := kr.NewAccount(k.name, k.mnemonic, "", sdk.FullFundraiserPath, hd.Secp256k1); err != nil {
				return nil, fmt.Errorf("keyring %s: %w", n.home, err)
			}
		}
		if err := writeGentx(txConfig, kr, o.chainID, n, filepath.Join(gentxDir, n.moniker+".json")); err != nil {
			return nil, err
		}
	}

	appState, err := json.MarshalIndent(gs, "", "  ")
	if err != nil {
		return nil, err
	}
	genesis := genutiltypes.NewAppGenesisWithVersion(o.chainID, appState)
	genesis.GenesisTime = time.Now().UTC().Truncate(time.Second)
	// A bounded block: CometBFT's default max_gas -1 would leave verification time per block unbounded.
	consensusParams := cmttypes.DefaultConsensusParams()
	consensusParams.Block.MaxGas = app.BlockMaxGas
	genesis.Consensus = &genutiltypes.ConsensusGenesis{Params: consensusParams}
	valCodec := addresscodec.NewBech32Codec(app.Bech32Prefix + sdk.PrefixValidator + sdk.PrefixOperator)
	genTxs, _, err := genutil.CollectTxs(cdc, txConfig.TxJSONDecoder(), "", gentxDir, genesis,
		banktypes.GenesisBalancesIterator{}, genutiltypes.DefaultMessageValidator, valCodec)
	if err != nil {
		return nil, fmt.Errorf("collect gentxs: %w", err)
	}
	gs, err = genutil.SetGenTxsInAppGenesisState(cdc, txConfig.TxJSONEncoder(), gs, genTxs)
	if err != nil {
		return nil, err
	}
	if genesis.AppState, err = json.MarshalIndent(gs, "", "  "); err != nil {
		return nil, err
	}
	if err := tempApp.BasicModuleManager.ValidateGenesis(cdc, txConfig, gs); err != nil {
		return nil, fmt.Errorf("genesis does not validate: %w", err)
	}

	// Per-node config (every other node is a persistent peer) and the same genesis everywhere.
	manifest := &devnetManifest{
		ChainID:      o.chainID,
		Denom:        app.BondDenom,
		MinGasPrice:  app.MinGasPriceAmount,
		Threshold:    signerThreshold,
		GovAuthority: app.GovAuthority(),
		EpochBlocks:  o.epochBlocks,
		SimState:     simState,
	}
	for i, n := range nodes {
		var peers []string
		for j, p := range nodes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", p.nodeID, p.ports.P2P))
			}
		}
		cfg := cometConfig(n.home, n.moniker, n.ports, o.blockTime, peers)
		if err := writeNodeConfig(n.home, o.chainID, cfg, appConfig(n.ports), n.ports); err != nil {
			return nil, err
		}
		if err := genutil.ExportGenesisFile(genesis, cfg.GenesisFile()); err != nil {
			return nil, err
		}
		manifest.RPC = append(manifest.RPC, n.ports.rpcURL())
		manifest.REST = append(manifest.REST, n.ports.restURL())
		manifest.Validators = append(manifest.Validators, manifestVal{
			Moniker:          n.moniker,
			Operator:         sdk.ValAddress(n.operator.address()).String(),
			Account:          n.operator.address().String(),
			OperatorMnemonic: n.operator.mnemonicFile,
			Relayer:          n.relayer.address().String(),
			RelayerMnemonic:  n.relayer.mnemonicFile,
		})
	}
	for _, k := range accounts {
		manifest.Accounts = append(manifest.Accounts, manifestAccount{Name: k.name, Address: k.address().String(), Mnemonic: k.mnemonicFile})
	}
	for _, k := range signers {
		manifest.Signers = append(manifest.Signers, manifestSigner{KeyID: k.name, Pubkey: hex.EncodeToString(k.priv.PubKey().Bytes()), Mnemonic: k.mnemonicFile})
	}
	if err := manifest.write(filepath.Join(home, "devnet.json")); err != nil {
		return nil, err
	}
	return manifest, nil
}

// writeGentx signs the validator's MsgCreateValidator (self-bond validatorBond, memo = its P2P
// address on loopback) with its operator key and writes the JSON tx to path.
func writeGentx(txConfig client.TxConfig, kr keyring.Keyring, chainID string, n *devnetNode, path string) error {
	valAddr := sdk.ValAddress(n.operator.address())
	msg, err := stakingtypes.NewMsgCreateValidator(valAddr.String(), n.consPub,
		sdk.NewCoin(app.BondDenom, validatorBond),
		stakingtypes.NewDescription(n.moniker, "", "", "", "snpattest devnet validator"),
		stakingtypes.NewCommissionRates(math.LegacyMustNewDecFromStr("0.1"), math.LegacyMustNewDecFromStr("0.2"),
			math.LegacyMustNewDecFromStr("0.01")),
		math.OneInt())
	if err != nil {
		return err
	}
	memo := fmt.Sprintf("%s@127.0.0.1:%d", n.nodeID, n.ports.P2P)
	txf := tx.Factory{}.WithChainID(chainID).WithKeybase(kr).WithTxConfig(txConfig).WithMemo(memo).WithGas(200_000)
	txb, err := txf.BuildUnsignedTx(msg)
	if err != nil {
		return err
	}
	if err := tx.Sign(context.Background(), txf, n.operator.name, txb, true); err != nil {
		return fmt.Errorf("sign gentx of %s: %w", n.moniker, err)
	}
	bz, err := txConfig.TxJSONEncoder()(txb.GetTx())
	if err != nil {
		return err
	}
	return os.WriteFile(path, bz, 0o600)
}

// devnetMaxOperatorsPerChip is --max-operators-per-chip, defaulting to the number of validators: every
// validator of a devnet or localnet today runs the same simulated firmware, hence the same CHIP_ID,
// and the production default of 1 would refuse all but the first of them. Once each validator's
// simulated firmware has a chip of its own (snprelay init --devnet --validator N), the default becomes 1.
func devnetMaxOperatorsPerChip(o devnetInitOptions) uint32 {
	if o.maxOperatorsPerChip > 0 {
		return o.maxOperatorsPerChip
	}
	return uint32(o.validators)
}
