package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// JSONContentType is the content type of every error body the middleware sends.
const JSONContentType = "application/json; charset=utf-8"

// Type names Azure DevOps puts in error bodies.
const (
	vssServiceException     = "Microsoft.VisualStudio.Services.Common.VssServiceException, Microsoft.VisualStudio.Services.Common"
	requestBlockedException = "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException, Microsoft.TeamFoundation.Framework.Server"
)

// BlockedMessage is the message of the 429 body sent when an identity's budget is used up.
const BlockedMessage = "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'ATCPU' in namespace 'VSID'."

// ConditionalAccessMessage is the message of the 403 body sent by a FaultForbidden.
const ConditionalAccessMessage = "VS403463: The conditional access policy defined by your Azure Active Directory administrator has failed."

// errorBody is the Azure DevOps error shape, fields in the order the service sends them.
type errorBody struct {
	ID             string  `json:"$id"`
	InnerException *string `json:"innerException"`
	Message        string  `json:"message"`
	TypeName       string  `json:"typeName"`
	TypeKey        string  `json:"typeKey"`
	ErrorCode      int     `json:"errorCode"`
	EventID        int     `json:"eventId"`
}

// utf8BOM starts some real Azure DevOps error bodies; clients must strip it.
const utf8BOM = "\uFEFF"

// writeError sends an Azure DevOps style JSON error. withBOM prefixes the body with a UTF-8
// byte order mark, as some real 5xx bodies are.
func writeError(w http.ResponseWriter, status int, message, typeName, typeKey string, withBOM bool) {
	var buf bytes.Buffer
	if withBOM {
		buf.WriteString(utf8BOM)
	}
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding a struct of strings and ints cannot fail.
	_ = enc.Encode(errorBody{ID: "1", Message: message, TypeName: typeName, TypeKey: typeKey, EventID: 3000})
	body := bytes.TrimRight(buf.Bytes(), "\n")
	h := w.Header()
	h.Set("Content-Type", JSONContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-TFS-ServiceError", strings.ReplaceAll(url.QueryEscape(message), "+", "%20"))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeServerError sends a 5xx with a message fitting the status; 503 bodies carry a BOM like
// the recorded ones.
func writeServerError(w http.ResponseWriter, status int, activityID string) {
	msg := fmt.Sprintf("TF400898: An Internal Error Occurred. Activity Id: %s.", activityID)
	if status == http.StatusServiceUnavailable {
		msg = fmt.Sprintf("TF246017: Azure DevOps Services could not connect to the database. Activity Id: %s.", activityID)
	}
	writeError(w, status, msg, vssServiceException, "VssServiceException", status == http.StatusServiceUnavailable)
}

// WriteBlocked sends the 429 RequestBlockedException answer with its Retry-After, as
// Azure DevOps does when an identity's budget is used up.
func WriteBlocked(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(ceilSeconds(retryAfter), 10))
	w.Header().Set("X-RateLimit-Resource", "ATCPU")
	writeError(w, http.StatusTooManyRequests, BlockedMessage, requestBlockedException, "RequestBlockedException", false)
}

// writeForbidden sends the 403 conditional-access answer.
func writeForbidden(w http.ResponseWriter) {
	writeError(w, http.StatusForbidden, ConditionalAccessMessage, vssServiceException, "VssServiceException", false)
}

// writeUnauthorized sends 401 with an empty body, as Azure DevOps does for bad credentials.
func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="https://dev.azure.com/"`)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

// signInPage is what Azure DevOps sends with 203 when a token has expired or is malformed.
const signInPage = `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Azure DevOps Services | Sign In</title>
</head>
<body>
<form method="post" action="https://login.microsoftonline.com/common/oauth2/authorize">
<p>Sign in to your account to continue to Azure DevOps.</p>
<input type="submit" value="Sign in">
</form>
</body>
</html>
`

// writeSignIn sends 203 with the HTML sign-in page.
func writeSignIn(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(signInPage)))
	w.WriteHeader(http.StatusNonAuthoritativeInfo)
	_, _ = w.Write([]byte(signInPage))
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}
