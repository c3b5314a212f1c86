package web_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
)

// checkDecodeResult asserts the decoding contract: either a valid value or a *cairn.Error
// with a client-error code and a message, never a panic or an internal error.
func checkDecodeResult(t *testing.T, err error) {
	if err == nil {
		return
	}
	var e *cairn.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *cairn.Error", err)
	}
	if e.Code != cairn.EINVALID && e.Code != cairn.EBADREQUEST {
		t.Fatalf("code %q for bad input, want invalid or bad_request: %v", e.Code, err)
	}
	if e.Message == "" {
		t.Fatal("error without a message")
	}
}

func FuzzDecodeObjective(f *testing.F) {
	for _, s := range []string{
		`{"period_id": 1, "title": "Delight shoppers", "level": "organization", "owner_ids": [1], "parent": {"type": "objective", "id": 3}}`,
		`{"period_id": 1, "title": "x", "level": "team", "team_id": 2, "owner_ids": [1, 2], "editor_ids": [3]}`,
		`{"period_id": "1"}`, `{"title": null}`, `[]`, `{`, `{"owner_ids": [1, 1]}`, `{"owner_ids": [-1]}`,
		`{"parent": {"type": "key_result", "id": 0}}`, `{"weight": 1e400}`, `{"title": "\u0000"}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := web.DecodeObjective(bytes.NewReader(data))
		checkDecodeResult(t, err)
		if err == nil {
			// Owners may be left out (the caller then owns it), but never named as empty.
			if o.Title == "" || (o.OwnerIDs != nil && len(o.OwnerIDs) == 0) || o.PeriodID <= 0 {
				t.Fatalf("accepted an invalid objective: %+v", o)
			}
			if err := o.ValidateNew(); err != nil {
				t.Fatalf("accepted objective fails validation: %v", err)
			}
		}
	})
}

func FuzzDecodeCheckIn(f *testing.F) {
	for _, s := range []string{
		`{"value": 42, "status": "on_track", "note": "…"}`, `{"value": -3.5}`, `{"value": "42"}`,
		`{"value": 1, "status": "great"}`, `{"value": 1e309}`, `{}`, `{"value": 1} x`, `{"note": 7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := web.DecodeCheckIn(bytes.NewReader(data), cairn.Ref{Type: cairn.ItemKeyResult, ID: 1})
		checkDecodeResult(t, err)
		if err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("accepted check-in fails validation: %v", err)
			}
		}
	})
}
