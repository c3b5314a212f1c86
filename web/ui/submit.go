package ui

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// submitted remembers the one-time ids of forms that created something, so that a second
// submission of the same form (a double click, a reload after POST) leads to what the first
// created instead of creating it twice.
type submitted struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]submission
}

type submission struct {
	to string // where the first submission led
	at time.Time
}

// submissionTTL is how long a form id is remembered.
const submissionTTL = 30 * time.Minute

func newSubmitted(now func() time.Time) *submitted {
	return &submitted{now: now, seen: map[string]submission{}}
}

// newFormID returns a fresh random form id for a hidden field.
func newFormID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// claim marks the form id as in use. It returns the earlier result's location and false
// when the id was submitted before. An empty id is never remembered.
func (s *submitted) claim(id string) (string, bool) {
	if id == "" || len(id) > 64 {
		return "", true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.seen {
		if now.Sub(v.at) > submissionTTL {
			delete(s.seen, k)
		}
	}
	if prev, ok := s.seen[id]; ok {
		return prev.to, false
	}
	s.seen[id] = submission{at: now}
	return "", true
}

// done records where a claimed form led.
func (s *submitted) done(id, to string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.seen[id]; ok {
		v.to = to
		s.seen[id] = v
	}
}

// release forgets a claimed id whose submission failed, so that the corrected form can be
// sent again.
func (s *submitted) release(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, id)
}
