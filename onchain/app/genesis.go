package app

import (
	"encoding/json"

	"github.com/cosmos/cosmos-sdk/codec"
)

// GenesisState is the app_state of genesis.json: one raw JSON document per module name.
type GenesisState map[string]json.RawMessage

// DefaultGenesis returns every module's default genesis. Callers (devnet init) adjust the
// documents they care about before writing genesis.json.
func (app *App) DefaultGenesis() GenesisState {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// DecodeGenesis is the inverse of marshalling a GenesisState; a helper for tests and devnet init.
func DecodeGenesis(_ codec.JSONCodec, appState []byte) (GenesisState, error) {
	var gs GenesisState
	err := json.Unmarshal(appState, &gs)
	return gs, err
}
