package datasource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// ErrHookGone answers deliveries for a connection that no longer exists; the receiver
// replies 410 Gone, which makes Azure DevOps disable the subscription.
var ErrHookGone = cairn.Errorf(cairn.ENOTFOUND, "this connection no longer exists")

// MaxHookBody bounds a delivery's body; work item payloads are far smaller.
const MaxHookBody = 1 << 20

// ReceiveHook authenticates a service-hook delivery for a connection with the
// connection's own basic-auth secret, compared in constant time, and queues a debounced
// sync of the connection. The payload is only a hint: Cairn reads nothing from it but the
// project it names, and always fetches the truth from Azure DevOps.
func (s *Service) ReceiveHook(ctx context.Context, connectionID int64, user, pass string, body io.Reader) error {
	c, err := s.cfg.Store.ConnectionForSync(ctx, connectionID)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return ErrHookGone
	}
	if err != nil {
		return err
	}
	if !checkHookAuth(c, user, pass) {
		return cairn.Errorf(cairn.EUNAUTHORIZED, "wrong service-hook credentials")
	}
	data, _ := io.ReadAll(io.LimitReader(body, MaxHookBody))
	if ev, err := azdo.DecodeHookEvent(bytes.NewReader(data)); err == nil && ev.ResourceContainers.Project != nil &&
		ev.ResourceContainers.Project.ID != "" && c.ProjectID != "" && !strings.EqualFold(ev.ResourceContainers.Project.ID, c.ProjectID) {
		// Another project's event (a subscription edited by hand): nothing to do.
		return nil
	}
	if s.cfg.Enqueuer == nil {
		if err := s.cfg.Store.RequestSync(ctx, c.ID, s.cfg.Now(), nil); err != nil {
			return err
		}
		s.debounce(c.ID)
		return nil
	}
	return s.requestSync(ctx, c.ID, cairn.TriggerHook, s.cfg.HookDebounce)
}

// checkHookAuth compares the delivery's credentials with the connection's in constant
// time; a connection without a secret accepts none.
func checkHookAuth(c *cairn.Connection, user, pass string) bool {
	if c.HookSecretHash == "" || c.HookUsername == "" {
		return false
	}
	h := sha256.Sum256([]byte(pass))
	got := hex.EncodeToString(h[:])
	okPass := subtle.ConstantTimeCompare([]byte(got), []byte(c.HookSecretHash)) == 1
	uh, wh := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(c.HookUsername))
	okUser := subtle.ConstantTimeCompare(uh[:], wh[:]) == 1
	return okPass && okUser
}

// debouncer runs one sync per connection after a quiet time, for installations without a
// job queue (tests, single-process tools).
type debouncer struct {
	mu     sync.Mutex
	timers map[int64]*time.Timer
}

func (s *Service) debounce(connectionID int64) {
	s.deb.mu.Lock()
	defer s.deb.mu.Unlock()
	if s.deb.timers == nil {
		s.deb.timers = map[int64]*time.Timer{}
	}
	if t := s.deb.timers[connectionID]; t != nil {
		t.Reset(s.cfg.HookDebounce)
		return
	}
	s.deb.timers[connectionID] = time.AfterFunc(s.cfg.HookDebounce, func() {
		s.deb.mu.Lock()
		delete(s.deb.timers, connectionID)
		s.deb.mu.Unlock()
		if s.cfg.Syncer == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if _, err := s.cfg.Syncer.Sync(ctx, connectionID, cairn.TriggerHook); err != nil {
			s.cfg.Log.Warn("azure devops sync after a service hook failed", slog.Int64("connection", connectionID), slog.String("err", err.Error()))
		}
	})
}
