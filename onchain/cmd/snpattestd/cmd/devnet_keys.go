package cmd

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cosmos/go-bip39"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// devnetKey is one generated secp256k1 key: its mnemonic file and what the chain sees of it. Every
// key uses the standard Cosmos HD path m/44'/118'/0'/0/0, so `snprelay keys add --recover
// --mnemonic-file F`, CosmJS's DirectSecp256k1HdWallet and `snpattestd keys add --recover` all derive
// the same address from the file.
type devnetKey struct {
	name         string
	mnemonic     string
	mnemonicFile string // absolute path, mode 0600
	priv         *secp256k1.PrivKey
}

func (k devnetKey) address() sdk.AccAddress { return sdk.AccAddress(k.priv.PubKey().Address()) }

// newDevnetKey makes a fresh 24-word mnemonic, derives its key and writes the mnemonic to
// keysDir/<name>.mnemonic (0600; keysDir is 0700). An existing file is an error: init never
// overwrites a key.
func newDevnetKey(keysDir, name string) (devnetKey, error) {
	entropy, err := bip39.NewEntropy(256)
	if err != nil {
		return devnetKey{}, err
	}
	mnemonic, err := bip39.NewMnemonic(entropy)
	if err != nil {
		return devnetKey{}, err
	}
	priv, err := privKeyFromMnemonic(mnemonic)
	if err != nil {
		return devnetKey{}, err
	}
	path := filepath.Join(keysDir, name+".mnemonic")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return devnetKey{}, fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.WriteString(mnemonic + "\n"); err != nil {
		_ = f.Close()
		return devnetKey{}, err
	}
	if err := f.Close(); err != nil {
		return devnetKey{}, err
	}
	return devnetKey{name: name, mnemonic: mnemonic, mnemonicFile: path, priv: priv}, nil
}

// privKeyFromMnemonic derives the secp256k1 key at m/44'/118'/0'/0/0 with an empty BIP-39 passphrase.
func privKeyFromMnemonic(mnemonic string) (*secp256k1.PrivKey, error) {
	derived, err := hd.Secp256k1.Derive()(mnemonic, "", sdk.FullFundraiserPath)
	if err != nil {
		return nil, err
	}
	priv, ok := hd.Secp256k1.Generate()(derived).(*secp256k1.PrivKey)
	if !ok {
		return nil, fmt.Errorf("unexpected key type")
	}
	return priv, nil
}
