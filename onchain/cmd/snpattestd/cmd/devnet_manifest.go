package cmd

import (
	"encoding/json"
	"os"
)

// devnetManifest is DIR/devnet.json, the contract scripts and tests read (issue 10, point 6). Paths
// are absolute; "rpc" and "rest" are each node's CometBFT RPC and API server (REST) URLs, in
// validator order; "min_gas_price" is the amount per gas unit in "denom"; "sim_state" is the simulated
// firmware's state directory given to --sim-state (its roots are the chain's trusted simulated roots;
// `snprelay init --devnet` runs the relayer on it), absent without one.
type devnetManifest struct {
	ChainID      string            `json:"chain_id"`
	Denom        string            `json:"denom"`
	MinGasPrice  string            `json:"min_gas_price"`
	RPC          []string          `json:"rpc"`
	REST         []string          `json:"rest"`
	Validators   []manifestVal     `json:"validators"`
	Accounts     []manifestAccount `json:"accounts"`
	Signers      []manifestSigner  `json:"signers"`
	Threshold    uint32            `json:"threshold"`
	GovAuthority string            `json:"gov_authority"`
	EpochBlocks  uint64            `json:"epoch_blocks"`
	SimState     string            `json:"sim_state,omitempty"`
}

type manifestVal struct {
	Moniker          string `json:"moniker"`
	Operator         string `json:"operator"`
	Account          string `json:"account"`
	OperatorMnemonic string `json:"operator_mnemonic"`
	Relayer          string `json:"relayer"`
	RelayerMnemonic  string `json:"relayer_mnemonic"`
}

type manifestAccount struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	Mnemonic string `json:"mnemonic"`
}

type manifestSigner struct {
	KeyID    string `json:"key_id"`
	Pubkey   string `json:"pubkey"`
	Mnemonic string `json:"mnemonic"`
}

func (m *devnetManifest) write(path string) error {
	bz, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(bz, '\n'), 0o644)
}

func readManifest(path string) (*devnetManifest, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m devnetManifest
	if err := json.Unmarshal(bz, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
