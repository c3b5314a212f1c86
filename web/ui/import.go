package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// The import of a Viva Goals export takes three requests: the page with the upload form; the
// upload, which keeps the file on the server and shows the dry run; and the confirmation,
// which imports the kept file in one transaction and shows what it did with the re-bind
// checklist. The dry run writes nothing.

// MaxImportSize is the largest export the import page takes, in bytes.
const MaxImportSize = 64 << 20

// importTime bounds the reading and the writing of one import. An export of 20,000 rows
// takes seconds; the upload of a large file over a slow link takes longer.
const importTime = 5 * time.Minute

// maxShownProblems is how many problems, or entries of another list, a page shows; the rest
// are counted.
const maxShownProblems = 500

// importData is the import page: the upload form, and after an upload either the problems
// that make the file unreadable, the dry run with the Confirm button, or the result.
type importData struct {
	MaxSize  string
	DayFirst bool
	// Err is the upload's error, shown at the file field.
	Err string
	// Notice is an error about the import as a whole, such as an expired upload.
	Notice string
	// File is the upload the page is about.
	File *upload
	// Problems are why the file is not an export Cairn can read; no Confirm then.
	Problems  []*viva.RowError
	More      int
	Truncated bool
	// Plan is the dry run, Result the import.
	Plan   *summaryView
	Result *summaryView
	Rebind *rebindList
}

// summaryView is an import summary as the page shows it. Long lists show their first
// maxShownProblems entries and count the rest.
type summaryView struct {
	*vivaimport.Summary
	Rows       []countRow
	Unclaimed  []*vivaimport.PersonNote
	Matched    []*vivaimport.PersonNote
	Shown      []*viva.RowError
	More       int
	Rebinds    []*vivaimport.RebindNote
	MoreRebind int
	Multi      []*vivaimport.MultiParent
	MoreMulti  int
	// Changes are what changed since the last import: updated records with their fields,
	// and new ones.
	Changes     []*vivaimport.Change
	MoreChanges int
}

// countRow is what an import did, or would do, with the records of one kind.
type countRow struct {
	Name                                 string
	Created, Matched, Updated, Unchanged int
}

func newSummaryView(s *vivaimport.Summary) *summaryView {
	v := &summaryView{Summary: s}
	for _, c := range s.Counts {
		if c.Total() == 0 && (c.Kind == cairn.MappingHolder || c.Kind == cairn.MappingObjectiveCheckIn) {
			continue
		}
		v.Rows = append(v.Rows, countRow{Name: vivaimport.KindName(c.Kind), Created: c.Created, Matched: c.Matched, Updated: c.Updated, Unchanged: c.Unchanged})
	}
	for _, p := range s.People {
		if p.How == vivaimport.PersonUnclaimed {
			v.Unclaimed = append(v.Unclaimed, p)
		} else {
			v.Matched = append(v.Matched, p)
		}
	}
	v.Shown, v.More = capList(s.Problems)
	v.Rebinds, v.MoreRebind = capList(s.RebindItems)
	v.Multi, v.MoreMulti = capList(s.MultiParent)
	v.Changes, v.MoreChanges = capList(s.Changes)
	return v
}

// OKRsQuery is the query of the OKR tree with the periods that hold the imported items.
func (v *summaryView) OKRsQuery() string {
	q := url.Values{}
	for _, id := range v.PeriodIDs {
		q.Add("period", strconv.FormatInt(id, 10))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// capList returns the first maxShownProblems entries of a list and how many it left out.
func capList[T any](list []T) ([]T, int) {
	if len(list) > maxShownProblems {
		return list[:maxShownProblems], len(list) - maxShownProblems
	}
	return list, 0
}

// importPage shows the upload form.
func (u *UI) importPage(q *request) error {
	if _, err := u.authorizeImport(q); err != nil {
		return err
	}
	u.uploads.sweep()
	return u.showImport(q, http.StatusOK, &importData{})
}

// authorizeImport lets organization admins and tenant admins through, on a server that can
// import.
func (u *UI) authorizeImport(q *request) (*cairn.Org, error) {
	if err := adminOnly(q, "import OKRs"); err != nil {
		return nil, err
	}
	org, err := u.svc.AuthorizeImport(q.r.Context(), q.org.Slug)
	if err != nil {
		return nil, err
	}
	if u.imports == nil {
		return nil, cairn.Errorf(cairn.ENOTIMPLEMENTED, "this server is not set up to import: run `cairn import viva` instead")
	}
	return org, nil
}

func (u *UI) showImport(q *request, status int, d *importData) error {
	d.MaxSize = sizeText(MaxImportSize)
	title := "Import from Viva Goals"
	if q.htmx() {
		return u.renderBlock(q, status, "admin_import", "content", u.view(q, title, "import", d))
	}
	return u.render(q, status, "admin_import", title, "import", d)
}

// planImport takes the upload, keeps it on the server and shows the dry run.
func (u *UI) planImport(q *request) error {
	org, err := u.authorizeImport(q)
	if err != nil {
		return err
	}
	extendDeadlines(q.w)
	d := &importData{}
	up, err := u.receive(q, d)
	if err != nil {
		d.Err = cairn.ErrorMessage(err)
		switch cairn.ErrorCode(err) {
		case cairn.ETOOLARGE:
			return u.showImport(q, http.StatusRequestEntityTooLarge, d)
		case cairn.EINVALID:
			return u.showImport(q, http.StatusUnprocessableEntity, d)
		}
		return err
	}
	d.File = up
	ctx, cancel := context.WithTimeout(q.r.Context(), importTime)
	defer cancel()
	exp, err := u.readUpload(up)
	if err != nil {
		u.uploads.drop(up)
		return u.unreadable(q, d, err)
	}
	sum, err := vivaimport.Plan(ctx, u.imports, org, exp, vivaimport.Options{Now: u.now})
	if err != nil {
		u.uploads.drop(up)
		return u.importFailed(q, d, err)
	}
	u.uploads.keep(up, q.user.ID, org.ID)
	d.Plan = newSummaryView(sum)
	return u.showImport(q, http.StatusOK, d)
}

// receive reads the upload form: the optional day_first field and the file, which it saves.
// The body may hold the file and a little more.
func (u *UI) receive(q *request, d *importData) (*upload, error) {
	noFile := cairn.FieldError("export", "choose the export file to upload: a CSV or XLSX file, or a .zip bundle")
	if q.r.ContentLength > MaxImportSize+formSlack {
		return nil, tooLarge(MaxImportSize)
	}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, MaxImportSize+formSlack)
	mr, err := q.r.MultipartReader()
	if err != nil {
		return nil, noFile
	}
	var up *upload
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if up != nil {
				u.uploads.drop(up)
			}
			return nil, uploadError(err)
		}
		switch p.FormName() {
		case "day_first":
			d.DayFirst = true
		case "export":
			if up != nil || p.FileName() == "" {
				continue
			}
			if up, err = u.uploads.save(p, MaxImportSize, cleanName(p.FileName())); err != nil {
				return nil, uploadError(err)
			}
		}
	}
	if up == nil {
		return nil, noFile
	}
	if up.Size == 0 {
		u.uploads.drop(up)
		return nil, cairn.FieldError("export", "%s is empty", up.Name)
	}
	up.DayFirst = d.DayFirst
	return up, nil
}

// formSlack is what an upload form may hold besides the file: its other fields and the
// multipart framing.
const formSlack = 1 << 20

// uploadError turns an error of reading the upload into one for people; Cairn's own errors,
// such as a failure to store the file, stay as they are.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	var ce *cairn.Error
	switch {
	case errors.As(err, &tooBig):
		return tooLarge(MaxImportSize)
	case errors.As(err, &ce):
		return err
	}
	return cairn.FieldError("export", "the upload was cut short or is not a form upload: try again")
}

// cleanName keeps the base name of an uploaded file, which some browsers send with a path.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name = strings.TrimSpace(name); name == "" {
		return "the file"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// readUpload reads the kept file as a Viva Goals export.
func (u *UI) readUpload(up *upload) (*viva.Export, error) {
	f, err := up.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return vivaimport.Read(up.Name, f, up.Size, vivaimport.Options{Read: viva.Options{DayFirst: up.DayFirst}})
}

// unreadable shows why a file is not an export Cairn can read: the problems with their rows
// and columns, or the reader's error, such as a damaged zip archive.
func (u *UI) unreadable(q *request, d *importData, err error) error {
	var pe *viva.ParseError
	var ce *cairn.Error
	switch {
	case errors.As(err, &pe):
		d.Problems, d.More = capList(pe.Problems)
		d.Truncated = pe.Truncated
	case errors.As(err, &ce):
		return err
	default:
		d.Notice = d.File.Name + " is not a Viva Goals export Cairn can read: " + err.Error()
	}
	return u.showImport(q, http.StatusUnprocessableEntity, d)
}

// importFailed shows why a plan or an import failed, which wrote nothing, when people can
// act on it.
func (u *UI) importFailed(q *request, d *importData, err error) error {
	if code := cairn.ErrorCode(err); code == cairn.EINTERNAL || code == cairn.EUNAVAILABLE {
		return err
	}
	d.Notice = "Nothing was imported: " + cairn.ErrorMessage(err)
	return u.showImport(q, http.StatusUnprocessableEntity, d)
}

// confirmImport imports the kept upload and shows what the import did, with the re-bind
// checklist.
func (u *UI) confirmImport(q *request) error {
	org, err := u.authorizeImport(q)
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	extendDeadlines(q.w)
	up, err := u.uploads.take(q.r.PostForm.Get("upload"), q.user.ID, org.ID)
	if err != nil {
		return u.showImport(q, http.StatusGone, &importData{Notice: cairn.ErrorMessage(err) + ". Upload the export again."})
	}
	// The file is imported once: a failure asks for it again.
	defer u.uploads.drop(up)
	d := &importData{File: up, DayFirst: up.DayFirst}
	exp, err := u.readUpload(up)
	if err != nil {
		return u.unreadable(q, d, err)
	}
	// The import runs to its end even when the browser leaves the page: it is one
	// transaction, and half of one would be nothing.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(q.r.Context()), importTime)
	defer cancel()
	sum, err := vivaimport.Apply(ctx, u.imports, org, exp, vivaimport.Options{Now: u.now})
	if err != nil {
		return u.importFailed(q, d, err)
	}
	d.Result = newSummaryView(sum)
	if d.Rebind, err = u.rebindList(q); err != nil {
		return err
	}
	return u.showImport(q, http.StatusOK, d)
}

// formatName names the kind of export for people.
func formatName(f viva.Format) string {
	switch f {
	case viva.FormatCSV:
		return "Explorer export as CSV"
	case viva.FormatXLSX:
		return "Explorer export as XLSX"
	case viva.FormatBundle:
		return "JSON data export"
	}
	return string(f)
}

// weightText writes an alignment's weight as Viva Goals shows it: "14.29 %".
func weightText(w *float64) string {
	if w == nil {
		return "no weight"
	}
	return decimal(*w, 2) + " %"
}

// plural writes n with the words for one or for many: "1 item", "6 items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// whereText says where in the export a record was read: "row 7" in a spreadsheet, "record
// 3 of objectives_1.json" in a bundle.
func whereText(p viva.Position) string {
	if p.File != "" {
		return "record " + strconv.Itoa(p.Row) + " of " + p.File
	}
	return "row " + strconv.Itoa(p.Row)
}

// extendDeadlines gives an upload and its import more time than the server's timeouts give
// an ordinary request.
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(importTime))
	_ = rc.SetWriteDeadline(time.Now().Add(importTime + time.Minute))
}
