package wiql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies a lexical token.
type tokenKind uint8

const (
	tkEOF    tokenKind = iota
	tkIdent            // bare word: keyword or unbracketed field name
	tkField            // [bracketed name], text without brackets
	tkString           // 'text' or "text", text unescaped
	tkNumber           // 12 or 1.5
	tkMacro            // @name, text without @
	tkOp               // = <> < > <= >= !=
	tkLParen
	tkRParen
	tkComma
	tkDot
	tkPlus
	tkMinus
)

// token is one lexical token. Raw is the source text, Text the value.
type token struct {
	Kind tokenKind
	Text string
	Raw  string
	Pos  int
}

// lex splits src into tokens, ending with a tkEOF token.
func lex(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/4+1)
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '[':
			end := strings.IndexByte(src[i+1:], ']')
			if end < 0 {
				return nil, errAt(src, CodeSyntax, i, src[i:min(len(src), i+40)], "Expecting «]».")
			}
			raw := src[i : i+end+2]
			toks = append(toks, token{Kind: tkField, Text: strings.TrimSpace(raw[1 : len(raw)-1]), Raw: raw, Pos: i})
			i += end + 2
			continue
		case c == '\'' || c == '"':
			text, n, ok := scanString(src[i:], c)
			if !ok {
				return nil, errAt(src, CodeSyntax, i, src[i:min(len(src), i+40)], "Expecting closing quote.")
			}
			toks = append(toks, token{Kind: tkString, Text: text, Raw: src[i : i+n], Pos: i})
			i += n
			continue
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && isIdentByte(src[j]) && src[j] != '.' {
				k := j
				for k < len(src) && isIdentByte(src[k]) {
					k++
				}
				return nil, errAt(src, CodeSyntax, i, src[i:k], "Expecting a number.")
			}
			toks = append(toks, token{Kind: tkNumber, Text: src[i:j], Raw: src[i:j], Pos: i})
			i = j
			continue
		case c == '@':
			j := i + 1
			for j < len(src) && isIdentByte(src[j]) && src[j] != '.' {
				j++
			}
			if j == i+1 {
				return nil, errAt(src, CodeSyntax, i, "@", "Expecting a macro name.")
			}
			toks = append(toks, token{Kind: tkMacro, Text: src[i+1 : j], Raw: src[i:j], Pos: i})
			i = j
			continue
		case c == '<':
			if i+1 < len(src) && (src[i+1] == '>' || src[i+1] == '=') {
				toks = append(toks, token{Kind: tkOp, Text: src[i : i+2], Raw: src[i : i+2], Pos: i})
				i += 2
				continue
			}
			toks = append(toks, token{Kind: tkOp, Text: "<", Raw: "<", Pos: i})
			i++
			continue
		case c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{Kind: tkOp, Text: ">=", Raw: ">=", Pos: i})
				i += 2
				continue
			}
			toks = append(toks, token{Kind: tkOp, Text: ">", Raw: ">", Pos: i})
			i++
			continue
		case c == '=':
			toks = append(toks, token{Kind: tkOp, Text: "=", Raw: "=", Pos: i})
			i++
			continue
		case c == '!':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{Kind: tkOp, Text: "!=", Raw: "!=", Pos: i})
				i += 2
				continue
			}
		case c == '(':
			toks = append(toks, token{Kind: tkLParen, Text: "(", Raw: "(", Pos: i})
			i++
			continue
		case c == ')':
			toks = append(toks, token{Kind: tkRParen, Text: ")", Raw: ")", Pos: i})
			i++
			continue
		case c == ',':
			toks = append(toks, token{Kind: tkComma, Text: ",", Raw: ",", Pos: i})
			i++
			continue
		case c == '.':
			toks = append(toks, token{Kind: tkDot, Text: ".", Raw: ".", Pos: i})
			i++
			continue
		case c == '+':
			toks = append(toks, token{Kind: tkPlus, Text: "+", Raw: "+", Pos: i})
			i++
			continue
		case c == '-':
			toks = append(toks, token{Kind: tkMinus, Text: "-", Raw: "-", Pos: i})
			i++
			continue
		case isIdentStart(src[i:]):
			j := i
			for j < len(src) {
				if isIdentByte(src[j]) {
					j++
					continue
				}
				r, n := utf8.DecodeRuneInString(src[j:])
				if r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
					j += n
					continue
				}
				break
			}
			toks = append(toks, token{Kind: tkIdent, Text: src[i:j], Raw: src[i:j], Pos: i})
			i = j
			continue
		}
		r, _ := utf8.DecodeRuneInString(src[i:])
		return nil, errAt(src, CodeSyntax, i, string(r), "Unexpected character.")
	}
	toks = append(toks, token{Kind: tkEOF, Pos: len(src)})
	return toks, nil
}

// scanString reads a quoted string starting at s[0] == q, where a doubled
// quote stands for one quote. It returns the text, the bytes consumed and
// whether the string was closed.
func scanString(s string, q byte) (string, int, bool) {
	var b strings.Builder
	start := 1
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteString(s[start : i+1])
			i++
			start = i + 1
			continue
		}
		if b.Len() == 0 {
			return s[1:i], i + 1, true
		}
		b.WriteString(s[start:i])
		return b.String(), i + 1, true
	}
	return "", len(s), false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isIdentStart(s string) bool {
	c := s[0]
	if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r >= utf8.RuneSelf && unicode.IsLetter(r)
}
