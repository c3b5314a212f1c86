package datasource_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/datasource"
)

// hookStore is the part of the store the service-hook receiver uses, over one connection.
// Every other method is the nil embedded Store's, so a receiver that reached further would
// panic and fail the fuzz target.
type hookStore struct {
	datasource.Store
	conn     cairn.Connection
	requests int
}

func (s *hookStore) ConnectionForSync(_ context.Context, id int64) (*cairn.Connection, error) {
	if id != s.conn.ID {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "connection %d not found", id)
	}
	c := s.conn
	return &c, nil
}

func (s *hookStore) RequestSync(ctx context.Context, _ int64, _ time.Time, hook cairn.TxHook) error {
	s.requests++
	if hook != nil {
		return hook(ctx, nil)
	}
	return nil
}

// hookEnqueuer records the syncs the receiver queues.
type hookEnqueuer struct {
	n        int
	triggers []string
}

func (e *hookEnqueuer) EnqueueSync(_ context.Context, _ *sql.Tx, _ int64, trigger string, _ time.Duration) error {
	e.n++
	e.triggers = append(e.triggers, trigger)
	return nil
}

// FuzzReceiveHook sends deliveries to the service-hook receiver: whatever the body, a
// delivery without the connection's secret is refused and queues nothing, and one with it
// is accepted and queues a sync unless it names another project.
func FuzzReceiveHook(f *testing.F) {
	const secret = "hook-secret-5f2a"
	const project = "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1"
	f.Add(true, "", []byte(`{"subscriptionId":"s","notificationId":1,"id":"e","eventType":"workitem.updated","publisherId":"tfs","resource":{"id":2,"workItemId":5,"rev":3},"resourceContainers":{"project":{"id":"`+project+`"}},"createdDate":"2026-03-01T12:00:00Z"}`))
	f.Add(true, "", []byte(`{"eventType":"workitem.created","resourceContainers":{"project":{"id":"0c2a6b9e-0000-4000-8000-000000000000"}}}`))
	f.Add(true, "", []byte(`{"eventType":"workitem.created","resourceContainers":{"project":{"id":"EB6E4656-77FC-42A1-9181-4C6D8E9DA5D1"}}}`))
	f.Add(true, "", []byte(`{"eventType":"","resourceContainers":{"project":{"id":"other"}}}`))
	f.Add(true, "", []byte(`not json`))
	f.Add(false, "wrong", []byte(`{"eventType":"workitem.updated"}`))
	f.Add(false, "", []byte{})
	f.Fuzz(func(t *testing.T, rightSecret bool, pass string, body []byte) {
		sum := sha256.Sum256([]byte(secret))
		store := &hookStore{conn: cairn.Connection{ID: 7, OrgID: 1, Name: "c", OrganizationURL: "https://dev.azure.com/fabrikam",
			Project: "Fabrikam Fiber", ProjectID: project, HookUsername: "cairn-7", HookSecretHash: hex.EncodeToString(sum[:])}}
		enq := &hookEnqueuer{}
		ds := datasource.New(datasource.Config{Store: store, Enqueuer: enq})
		if rightSecret {
			pass = secret
		}
		err := ds.ReceiveHook(context.Background(), 7, "cairn-7", pass, bytes.NewReader(body))
		if pass != secret {
			if cairn.ErrorCode(err) != cairn.EUNAUTHORIZED || store.requests != 0 || enq.n != 0 {
				t.Fatalf("wrong secret: %v with %d sync requests, want unauthorized and none", err, store.requests)
			}
			return
		}
		if err != nil {
			t.Fatalf("a delivery with the right secret was refused: %v", err)
		}
		want := 1
		if ev, err := azdo.DecodeHookEvent(bytes.NewReader(body)); err == nil && ev.ResourceContainers.Project != nil &&
			ev.ResourceContainers.Project.ID != "" && !strings.EqualFold(ev.ResourceContainers.Project.ID, project) {
			want = 0 // another project's event
		}
		if store.requests != want || enq.n != want {
			t.Fatalf("delivery %q made %d sync requests and %d jobs, want %d", body, store.requests, enq.n, want)
		}
		for _, tr := range enq.triggers {
			if tr != cairn.TriggerHook {
				t.Fatalf("queued a sync triggered by %q, want %q", tr, cairn.TriggerHook)
			}
		}
	})
}
