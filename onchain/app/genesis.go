package app

import "encoding/json"

// GenesisState is the app_state of genesis.json: one raw JSON document per module name.
type GenesisState map[string]json.RawMessage

// DefaultGenesis returns every module's default genesis. Callers (devnet init) adjust the
// documents they care about before writing genesis.json.
func (app *App) DefaultGenesis() GenesisState {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}
