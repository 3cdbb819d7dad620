package types

import errorsmod "cosmossdk.io/errors"

// Errors of codespace "snpattest", numbered exactly as PROTOCOL.md "Errors". A rejected report wraps
// ErrReportRejected with the verification code first in the log (e.g. "TCB_BELOW_MINIMUM: ...").
var (
	ErrReportRejected       = errorsmod.Register(ModuleName, 2, "report rejected")
	ErrEpochClosed          = errorsmod.Register(ModuleName, 3, "epoch closed or unknown")
	ErrDuplicate            = errorsmod.Register(ModuleName, 4, "duplicate submission")
	ErrRelayerNotRegistered = errorsmod.Register(ModuleName, 5, "relayer not registered for operator")
	ErrBindingMismatch      = errorsmod.Register(ModuleName, 6, "report_data binding mismatch")
	ErrBelowThreshold       = errorsmod.Register(ModuleName, 7, "allowlist signatures below threshold")
	ErrAllowlistSequence    = errorsmod.Register(ModuleName, 8, "allowlist version or prev_hash wrong")
	ErrAllowlistExpired     = errorsmod.Register(ModuleName, 9, "allowlist expired or wrong chain")
	ErrUnauthorized         = errorsmod.Register(ModuleName, 10, "unauthorized signer")
	ErrInvalidParams        = errorsmod.Register(ModuleName, 11, "invalid params")
	ErrTooManySubmissions   = errorsmod.Register(ModuleName, 12, "too many submissions in this block")
	// ErrTooManyAttempts: the verification-attempt limit of (operator, epoch) or of the block is spent
	// (issue 20: failed verifications were unlimited). Checked by the module's ante decorator.
	ErrTooManyAttempts = errorsmod.Register(ModuleName, 13, "verification attempts exhausted")
	// ErrChipBound: the report's CHIP_ID already attests for max_operators_per_chip other validators.
	ErrChipBound = errorsmod.Register(ModuleName, 14, "chip already bound to another validator")
)
