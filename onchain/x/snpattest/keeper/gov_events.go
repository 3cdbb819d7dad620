package keeper

import (
	"bytes"
	"reflect"
	"strings"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// changedParams names the Params fields (proto names, in field order) whose value differs between a
// and b; an empty and a nil list are equal. EventParamsUpdated carries the result.
func changedParams(a, b types.Params) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name := protoName(t.Field(i).Tag.Get("protobuf"))
		if name == "" {
			continue
		}
		x, y := va.Field(i), vb.Field(i)
		if x.Kind() == reflect.Slice && x.Len() == 0 && y.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(x.Interface(), y.Interface()) {
			out = append(out, name)
		}
	}
	return out
}

// protoName reads "name=..." from a gogoproto struct tag.
func protoName(tag string) string {
	for _, part := range strings.Split(tag, ",") {
		if n, ok := strings.CutPrefix(part, "name="); ok {
			return n
		}
	}
	return ""
}

// sameSignerSet: the same key ids with the same keys, in the same order, and the same threshold.
func sameSignerSet(a types.AllowlistSignerSet, signers []*types.SignerKey, threshold uint32) bool {
	if a.Threshold != threshold || len(a.Signers) != len(signers) {
		return false
	}
	for i, s := range signers {
		if a.Signers[i].KeyId != s.KeyId || !bytes.Equal(a.Signers[i].Pubkey, s.Pubkey) {
			return false
		}
	}
	return true
}
