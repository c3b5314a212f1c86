package ui

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
)

// uploadTTL is how long an uploaded export waits for its confirmation.
const uploadTTL = 30 * time.Minute

// upload is an export kept on the server between its dry run and its confirmation. The page
// only carries its random id; the id works for the user who uploaded it, in the
// organization it was uploaded to, until it expires.
type upload struct {
	ID       string
	Name     string
	Size     int64
	DayFirst bool
	path     string
	userID   int64
	orgID    int64
	expires  time.Time
}

// open opens the upload's file.
func (up *upload) open() (*os.File, error) {
	f, err := os.Open(up.path)
	if err != nil {
		return nil, cairn.Internal("ui: open upload", err)
	}
	return f, nil
}

// uploads keeps uploaded exports in temporary files, named cairn-import-*, which it removes
// when they are imported or refused, and when they expire: expired uploads go whenever one is
// added or taken, or the import page is shown. A confirmation must reach the process that took the upload: a deployment
// with several replicas routes a user's requests to the same one, or the confirmation asks
// for the file again.
type uploads struct {
	base string // the folder of the files; os.TempDir() when empty
	now  func() time.Time

	mu    sync.Mutex
	files map[string]*upload
}

func newUploads(base string, now func() time.Time) *uploads {
	return &uploads{base: base, now: now, files: map[string]*upload{}}
}

// errUploadGone says that an upload id names no upload of the user and organization: it was
// imported, expired, or never was theirs.
var errUploadGone = cairn.Errorf(cairn.ENOTFOUND, "the uploaded file is no longer here: an upload is kept for 30 minutes and imported once")

// save copies at most limit bytes of r into the file of a new upload, which keep then
// registers; more than limit is ETOOLARGE and leaves no file.
func (s *uploads) save(r io.Reader, limit int64, name string) (*upload, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, cairn.Internal("ui: upload id", err)
	}
	f, err := os.CreateTemp(s.base, "cairn-import-*")
	if err != nil {
		return nil, cairn.Internal("ui: store upload", err)
	}
	up := &upload{ID: hex.EncodeToString(b[:]), Name: name, path: f.Name()}
	src := &sourceReader{r: io.LimitReader(r, limit+1)}
	n, err := io.Copy(f, src)
	if err != nil && src.err == nil {
		err = cairn.Internal("ui: store upload", err) // writing failed, not the upload
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cairn.Internal("ui: store upload", cerr)
	}
	if err == nil && n > limit {
		err = tooLarge(limit)
	}
	if err != nil {
		s.drop(up)
		return nil, err
	}
	up.Size = n
	return up, nil
}

// sourceReader remembers the error of reading an upload, to tell it from one of storing it.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// keep registers a saved upload for the user and organization until it expires.
func (s *uploads) keep(up *upload, userID, orgID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	up.userID, up.orgID, up.expires = userID, orgID, s.now().Add(uploadTTL)
	s.files[up.ID] = up
}

// tooLarge is the error of an upload over the limit.
func tooLarge(limit int64) error {
	return cairn.Errorf(cairn.ETOOLARGE, "the file is larger than %s, the most Cairn imports at once", sizeText(limit))
}

// take removes the user's upload of the organization from the list and returns it, so that
// one confirmation imports it; drop removes its file when the import is done.
func (s *uploads) take(id string, userID, orgID int64) (*upload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	up, ok := s.files[id]
	if !ok || up.userID != userID || up.orgID != orgID {
		return nil, errUploadGone
	}
	delete(s.files, id)
	return up, nil
}

// drop removes an upload's file.
func (s *uploads) drop(up *upload) { _ = os.Remove(up.path) }

// sweep removes the expired uploads.
func (s *uploads) sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
}

// sweepLocked removes the expired uploads; s.mu is held.
func (s *uploads) sweepLocked() {
	now := s.now()
	for id, up := range s.files {
		if !now.Before(up.expires) {
			s.drop(up)
			delete(s.files, id)
		}
	}
}

// sizeText writes a size in bytes for people: "64 MiB", "12.5 KiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MiB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KiB"
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}
