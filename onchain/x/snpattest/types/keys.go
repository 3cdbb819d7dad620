package types

const (
	// ModuleName is the module's name, its store key and its error codespace.
	ModuleName = "snpattest"
	// StoreKey is the KV store the keeper's collections live in.
	StoreKey = ModuleName
)
