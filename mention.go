package cairn

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mention is one @mention in a text: the member it names and where it stands, as byte
// offsets from the @ to the end of the name.
type Mention struct {
	UserID int64
	Start  int
	End    int
}

// ParseMentions finds the members a text mentions. A mention is an @ at the start of the text
// or after a character that is neither a letter nor a digit (so that an email address in the
// text is not one), followed by a member's name, their email handle (the part of the email
// before the @) or their whole email, compared without regard to case, and then by the end of
// the text or a character that cannot continue a name: "@Ada Lovelace," and "@ada." mention
// Ada, "@adam" does not. Where several names or handles fit, the longest wins, so that
// "@Ada Lovelace" is Ada Lovelace even with another member named Ada; one that fits several
// members alike names none of them, since Cairn cannot tell whom it means.
func ParseMentions(text string, members []*Member) []Mention {
	if !strings.Contains(text, "@") || len(members) == 0 {
		return nil
	}
	names := mentionNames(members)
	var out []Mention
	for i := 0; i < len(text); {
		at := strings.IndexByte(text[i:], '@')
		if at < 0 {
			break
		}
		at += i
		i = at + 1
		if at > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:at])
			if isNameRune(prev) {
				continue
			}
		}
		rest := text[at+1:]
		for _, n := range names {
			if len(rest) < len(n.key) || !strings.EqualFold(rest[:len(n.key)], n.key) || !endsName(rest[len(n.key):]) {
				continue
			}
			if len(n.users) == 1 {
				out = append(out, Mention{UserID: n.users[0], Start: at, End: at + 1 + len(n.key)})
				i = at + 1 + len(n.key)
			}
			break
		}
	}
	return out
}

// mentionName is a name, handle or email that mentions the users who have it.
type mentionName struct {
	key   string
	users []int64
}

// mentionNames lists what may follow an @ for each member, longest first. Unclaimed members
// have a placeholder email, so only their name mentions them.
func mentionNames(members []*Member) []mentionName {
	byKey := map[string][]int64{}
	add := func(key string, id int64) {
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" || slices.Contains(byKey[key], id) {
			return
		}
		byKey[key] = append(byKey[key], id)
	}
	for _, m := range members {
		add(m.Name, m.UserID)
		if m.Unclaimed || m.Email == "" {
			continue
		}
		add(m.Email, m.UserID)
		if handle, _, ok := strings.Cut(m.Email, "@"); ok {
			add(handle, m.UserID)
		}
	}
	out := make([]mentionName, 0, len(byKey))
	for k, ids := range byKey {
		out = append(out, mentionName{key: k, users: ids})
	}
	slices.SortFunc(out, func(a, b mentionName) int {
		if c := cmp.Compare(len(b.key), len(a.key)); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return out
}

// isNameRune reports whether r continues a name or a handle.
func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// endsName reports whether a name may end where rest begins: at the end of the text, or before
// a character that cannot continue it. Dots, dashes, plus signs and @ continue a name when a
// letter or digit follows them, as in "ada.lovelace", and end it otherwise, as a full stop
// does. An apostrophe always ends it, so that "@Ada's" mentions Ada.
func endsName(rest string) bool {
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case rest == "":
		return true
	case isNameRune(r):
		return false
	case r == '.' || r == '-' || r == '@' || r == '+':
		next, _ := utf8.DecodeRuneInString(rest[size:])
		return !isNameRune(next)
	}
	return true
}
