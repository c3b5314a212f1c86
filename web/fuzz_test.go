package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
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

// bodyTypes are the exported types the API decodes request bodies into with DecodeJSON,
// by the index FuzzDecodeJSON picks them with.
var bodyTypes = []func() any{
	func() any { return new(web.ObjectiveInput) },
	func() any { return new(web.KeyResultInput) },
	func() any { return new(web.InitiativeInput) },
	func() any { return new(web.CheckInInput) },
	func() any { return new(web.CheckInPauseInput) },
	func() any { return new(web.SetupRequest) },
	func() any { return new(cairn.ObjectiveUpdate) },
	func() any { return new(cairn.KeyResultUpdate) },
	func() any { return new(cairn.InitiativeUpdate) },
	func() any { return new(cairn.NewMember) },
	func() any { return new(cairn.MemberUpdate) },
	func() any { return new(cairn.OrgUpdate) },
	func() any { return new(cairn.PeriodUpdate) },
	func() any { return new(cairn.TeamUpdate) },
	func() any { return new(cairn.OrgIntegrationUpdate) },
	func() any { return new(datasource.ConnectionInput) },
	func() any { return new(datasource.ConnectionUpdate) },
	func() any { return new(datasource.ProbeInput) },
	func() any { return new(datasource.DataSourceInput) },
	func() any { return new(datasource.DataSourceUpdate) },
}

func FuzzDecodeJSON(f *testing.F) {
	for i, s := range []string{
		`{"period_id": 1, "title": "Delight shoppers", "level": "organization", "owner_ids": [1]}`,
		`{"objective_id": 3, "title": "Checkout conversion", "metric": {"kind": "percentage", "start": 0, "target": 100, "unit": "%"}, "weight": 2}`,
		`{"parent": {"type": "key_result", "id": 4}, "title": "New checkout", "contributes": false, "progress_mode": "manual"}`,
		`{"value": 42, "status": "on_track", "note": "…"}`,
		`{"value": 1, "pause_sync": true}`,
		`{"token": "t", "tenant_name": "Cairn", "email": "a@example.com", "name": "A", "password": "correct-horse"}`,
		`{"title": "Renamed", "owner_ids": []}`,
		`{"metric": {"kind": "number", "target": 7}}`,
		`{"contributes": null}`,
		`{"email": "new@example.com", "name": "New", "role": "viewer"}`,
		`{"role": "admin"}`,
		`{"name": "Fabrikam"}`,
		`{"name": "Q4", "start": "2026-10-01", "end": "2026-12-31"}`,
		`{"name": "Checkout", "parent_id": null}`,
		`{"enabled": true, "sync_interval_minutes": 15}`,
		`{"name": "fabrikam / Fabrikam Fiber", "organization_url": "https://dev.azure.com/fabrikam", "project": "Fabrikam Fiber", "visibility": "shared", "auth": {"type": "pat", "token": "x"}}`,
		`{"name": "c", "visibility": "private", "auth": {"type": "client_credentials", "tenant_id": "t", "client_id": "c", "client_secret": "s"}}`,
		`{"organization_url": "https://dev.azure.com/fabrikam", "auth": {"type": "oauth", "grant": "g"}}`,
		`{"target": {"type": "initiative_tasks", "id": 1}, "connection_id": 2, "method": "work_items", "work_item_type": "Epic", "work_item_ids": [1], "progress_type": "User Story"}`,
		`{"paused": true, "query_id": "8a8c8212-15ca-41ed-97aa-1d6fbfbcd581"}`,
		`{"start": "2026-13-01"}`, `{"unknown": 1}`, `[1, 2]`, `{"title": 7}`, `{} {}`, `{`, ` `, `null`, `"x"`, `{"weight": 1e400}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		newBody := bodyTypes[int(kind)%len(bodyTypes)]
		v := newBody()
		err := web.DecodeJSON(bytes.NewReader(data), v)
		checkDecodeResult(t, err)
		// A body that is not one well-formed JSON value is a bad request (400); one that is
		// but does not fit is invalid (422).
		if wellFormed := json.Valid(data); wellFormed != (err == nil || cairn.ErrorCode(err) == cairn.EINVALID) {
			t.Fatalf("DecodeJSON(%q) into %T: %v, but json.Valid says %v", data, v, err, wellFormed)
		}
		if err != nil {
			return
		}
		// What was accepted, encoded again, decodes to the same value.
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %T does not encode: %v", v, err)
		}
		w := newBody()
		if err := web.DecodeJSON(bytes.NewReader(again), w); err != nil {
			t.Fatalf("%T encoded as %s is refused: %v", v, again, err)
		}
		// Compared as JSON: an empty list and a missing one (omitempty) are the same body.
		if twice, err := json.Marshal(w); err != nil || !bytes.Equal(twice, again) {
			t.Fatalf("%T changed on a round trip: %s, then %s (%v)", v, again, twice, err)
		}
	})
}
