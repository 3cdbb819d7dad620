package cmd

import (
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cosmossdk.io/math"
	secp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// SimulatedMeasurement is the launch measurement of the simulated firmware's guest:
// SHA-384("snprelay simulated guest") (attest/sim/sim_firmware.hpp default_measurement). It is the
// same for every product, so the devnet allowlist holds it once.
func SimulatedMeasurement() []byte {
	sum := sha512.Sum384([]byte("snprelay simulated guest"))
	return sum[:]
}

// fundedAccount is a genesis account and its balance.
type fundedAccount struct {
	addr   sdk.AccAddress
	amount math.Int
}

// setAuthBank replaces the auth accounts and bank balances with accounts (supply = their sum).
func setAuthBank(cdc codec.JSONCodec, gs app.GenesisState, accounts []fundedAccount) error {
	var authGen authtypes.GenesisState
	if err := cdc.UnmarshalJSON(gs[authtypes.ModuleName], &authGen); err != nil {
		return err
	}
	genAccs := make(authtypes.GenesisAccounts, 0, len(accounts))
	balances := make([]banktypes.Balance, 0, len(accounts))
	supply := sdk.NewCoins()
	for _, a := range accounts {
		genAccs = append(genAccs, authtypes.NewBaseAccount(a.addr, nil, 0, 0))
		coins := sdk.NewCoins(sdk.NewCoin(app.BondDenom, a.amount))
		balances = append(balances, banktypes.Balance{Address: a.addr.String(), Coins: coins})
		supply = supply.Add(coins...)
	}
	packed, err := authtypes.PackAccounts(authtypes.SanitizeGenesisAccounts(genAccs))
	if err != nil {
		return err
	}
	authGen.Accounts = packed
	bz, err := cdc.MarshalJSON(&authGen)
	if err != nil {
		return err
	}
	gs[authtypes.ModuleName] = bz

	var bankGen banktypes.GenesisState
	if err := cdc.UnmarshalJSON(gs[banktypes.ModuleName], &bankGen); err != nil {
		return err
	}
	bankGen.Balances = banktypes.SanitizeGenesisBalances(balances)
	bankGen.Supply = supply
	bz, err = cdc.MarshalJSON(&bankGen)
	if err != nil {
		return err
	}
	gs[banktypes.ModuleName] = bz
	return nil
}

// setGovParams shortens governance to devnet scale: deposits of a few thousand stake and a voting
// period of votingPeriod (expedited: half of it). x/gov requires the expedited period strictly
// below the voting period and the expedited deposit above the minimum deposit.
func setGovParams(cdc codec.JSONCodec, gs app.GenesisState, votingPeriod time.Duration) error {
	var govGen govv1.GenesisState
	if err := cdc.UnmarshalJSON(gs[govtypes.ModuleName], &govGen); err != nil {
		return err
	}
	expedited := votingPeriod / 2
	govGen.Params.VotingPeriod = &votingPeriod
	govGen.Params.ExpeditedVotingPeriod = &expedited
	govGen.Params.MaxDepositPeriod = &votingPeriod
	govGen.Params.MinDeposit = sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1000))
	govGen.Params.ExpeditedMinDeposit = sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 2000))
	if err := govGen.Params.ValidateBasic(); err != nil {
		return fmt.Errorf("gov params: %w", err)
	}
	bz, err := cdc.MarshalJSON(&govGen)
	if err != nil {
		return err
	}
	gs[govtypes.ModuleName] = bz
	return nil
}

// snpattestGenesis is what devnet init puts into x/snpattest's genesis.
type snpattestGenesis struct {
	chainID        string
	epochBlocks    uint64
	submitWindow   uint64
	signers        []devnetKey
	threshold      uint32
	simulatedRoots [][]byte // DER ARK, DER ASK; nil without --sim-state
	label          string   // allowlist entry label
	// measurement is the first allowlist entry's measurement: the image the simulated firmware was
	// launched with (readLaunchedImage), else SimulatedMeasurement().
	measurement []byte
	memo        string
	// maxOperatorsPerChip is params.max_operators_per_chip.
	maxOperatorsPerChip uint32
	// enforcement, jailAfterEpochs are params.enforcement and params.jail_after_epochs.
	enforcement     string
	jailAfterEpochs uint32
}

// setSnpattest writes params (epoch length, submit window, simulated roots, allow_debug false), the
// allowlist signer set and the first allowlist update: version 1, a zero prev_hash, the chain id and
// the simulated guest's measurement, signed by the first `threshold` signers.
func setSnpattest(cdc codec.JSONCodec, gs app.GenesisState, in snpattestGenesis) error {
	var snpGen snptypes.GenesisState
	if err := cdc.UnmarshalJSON(gs[snptypes.ModuleName], &snpGen); err != nil {
		return err
	}
	params := snptypes.DefaultParams()
	if snpGen.Params != nil {
		params = *snpGen.Params
	}
	params.EpochBlocks = in.epochBlocks
	params.SubmitWindowBlocks = in.submitWindow
	params.AllowDebug = false
	params.SimulatedRoots = in.simulatedRoots
	params.MaxOperatorsPerChip = in.maxOperatorsPerChip
	params.Enforcement, params.JailAfterEpochs = in.enforcement, in.jailAfterEpochs
	snpGen.Params = &params
	snpGen.SimulatedRootsAllowed = len(in.simulatedRoots) > 0

	snpGen.Signers = nil
	for _, k := range in.signers {
		snpGen.Signers = append(snpGen.Signers, &snptypes.SignerKey{KeyId: k.name, Pubkey: k.priv.PubKey().Bytes()})
	}
	snpGen.Threshold = in.threshold

	update := snptypes.AllowlistUpdate{
		ChainId:  in.chainID,
		Version:  1,
		PrevHash: make([]byte, 32),
		Add:      []*snptypes.AllowlistEntry{{Measurement: in.measurement, Label: in.label}},
		Memo:     in.memo,
	}
	updateBytes, err := update.Marshal()
	if err != nil {
		return err
	}
	snpGen.AllowlistUpdateBytes = updateBytes
	snpGen.AllowlistSignatures = nil
	for _, k := range in.signers[:in.threshold] {
		sig, err := signAllowlistDigest(k, snptypes.AllowlistDigest(updateBytes))
		if err != nil {
			return err
		}
		snpGen.AllowlistSignatures = append(snpGen.AllowlistSignatures,
			&snptypes.AllowlistSignature{KeyId: k.name, Signature: sig})
	}
	if err := snpGen.Validate(); err != nil {
		return fmt.Errorf("snpattest genesis: %w", err)
	}
	bz, err := cdc.MarshalJSON(&snpGen)
	if err != nil {
		return err
	}
	gs[snptypes.ModuleName] = bz
	return nil
}

// signAllowlistDigest signs the 32-byte digest SHA-256("snprelay/allowlist/v1" ‖ update_bytes) with
// RFC 6979 ECDSA and returns r ‖ s (32 bytes each) with s in the lower half of the order, the form
// PROTOCOL.md requires (AllowlistSignature.signature).
func signAllowlistDigest(k devnetKey, digest []byte) ([]byte, error) {
	if len(digest) != 32 {
		return nil, errors.New("allowlist digest must be 32 bytes")
	}
	priv := secp.PrivKeyFromBytes(k.priv.Key)
	compact := ecdsa.SignCompact(priv, digest, true) // [recovery id] ‖ r ‖ s, s already low
	return compact[1:], nil
}

// launchedImage is the image the simulated firmware was launched with (`snprelay sim launch --image`):
// its measurement, computed by the relayer's calculator from the image's parts, and its allowlist label.
type launchedImage struct {
	measurement []byte
	label       string
}

// readLaunchedImage reads SIMDIR/launched_image (attest/sim/sim_launch.hpp: the measurement in hex on
// the first line, the label on the second); nil when the firmware was not launched with an image. The
// chain keeps no calculator of its own: the file is written by the relayer's, from the image description
// governance approves, so the devnet's first allowlist names exactly what its guest reports.
func readLaunchedImage(simDir string) (*launchedImage, error) {
	path := filepath.Join(simDir, "launched_image")
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(bz), "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("%s: want 2 lines (measurement hex, label), found %d", path, len(lines))
	}
	m, err := hex.DecodeString(strings.TrimSpace(lines[0]))
	if err != nil || len(m) != 48 {
		return nil, fmt.Errorf("%s: line 1 is not a 48-byte measurement in hex", path)
	}
	label := strings.TrimSpace(lines[1])
	if label == "" {
		return nil, fmt.Errorf("%s: line 2 (the allowlist label) is empty", path)
	}
	return &launchedImage{measurement: m, label: label}, nil
}

// readSimRoots reads SIMDIR/ark.pem and SIMDIR/ask.pem (the simulated firmware's roots) and returns
// their DER, ARK first, and the product the state was minted for (SIMDIR/product).
func readSimRoots(simDir string) ([][]byte, string, error) {
	var roots [][]byte
	for _, name := range []string{"ark.pem", "ask.pem"} {
		path := filepath.Join(simDir, name)
		bz, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("--sim-state %s has no %s: create the simulated firmware's state first, "+
				"e.g. `snprelay report get --simulate --sim-state %s -o %s`", simDir, name, simDir,
				filepath.Join(simDir, "report.bin"))
		}
		if err != nil {
			return nil, "", err
		}
		block, _ := pem.Decode(bz)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, "", fmt.Errorf("%s: no PEM CERTIFICATE block", path)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		roots = append(roots, block.Bytes)
	}
	product := ""
	if bz, err := os.ReadFile(filepath.Join(simDir, "product")); err == nil {
		product = strings.TrimSpace(string(bz))
	}
	return roots, product, nil
}
