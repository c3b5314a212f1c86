package azdoemu

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an Azure DevOps error response: an HTTP status and the VSS
// error envelope fields.
type apiError struct {
	status   int
	message  string
	typeName string
	typeKey  string
}

// Error returns the message.
func (e *apiError) Error() string { return e.message }

// errorBody is the VSS error envelope exactly as Azure DevOps sends it.
type errorBody struct {
	ID             string  `json:"$id"`
	InnerException *string `json:"innerException"`
	Message        string  `json:"message"`
	TypeName       string  `json:"typeName"`
	TypeKey        string  `json:"typeKey"`
	ErrorCode      int     `json:"errorCode"`
	EventID        int     `json:"eventId"`
}

func newAPIError(status int, typeKey, typeNamespace, format string, args ...any) *apiError {
	return &apiError{
		status:   status,
		message:  fmt.Sprintf(format, args...),
		typeKey:  typeKey,
		typeName: typeNamespace + "." + typeKey + ", " + typeNamespace,
	}
}

const (
	nsCore    = "Microsoft.TeamFoundation.Core.WebApi"
	nsWIT     = "Microsoft.TeamFoundation.WorkItemTracking.Server"
	nsWITApi  = "Microsoft.TeamFoundation.WorkItemTracking.WebApi"
	nsVSS     = "Microsoft.VisualStudio.Services.WebApi"
	nsCommon  = "Microsoft.VisualStudio.Services.Common"
	nsHooks   = "Microsoft.VisualStudio.Services.ServiceHooks.WebApi"
	nsQueries = "Microsoft.TeamFoundation.WorkItemTracking.Server.Queries"
)

func errProjectNotFound(name string) *apiError {
	return newAPIError(http.StatusNotFound, "ProjectDoesNotExistWithNameException", nsCore,
		"TF200016: The following project does not exist: %s. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", name)
}

func errOrgNotFound(name string) *apiError {
	return newAPIError(http.StatusNotFound, "HostNotFoundException", nsVSS,
		"TF400813: The organization %s does not exist or you are not authorized to access it.", name)
}

func errWorkItemNotFound(id int) *apiError {
	return newAPIError(http.StatusNotFound, "WorkItemUnauthorizedAccessException", nsWIT,
		"TF401232: Work item %d does not exist, or you do not have permissions to read it.", id)
}

func errQueryNotFound(idOrPath string) *apiError {
	return newAPIError(http.StatusNotFound, "QueryItemNotFoundException", nsWIT,
		"TF401243: The query %s does not exist, or you do not have permission to read it.", idOrPath)
}

func errTooManyIDs(n int) *apiError {
	return newAPIError(http.StatusBadRequest, "WorkItemTrackingTooManyIdsRequestedException", nsWIT,
		"VS403474: You requested %d work items which exceeds the limit of 200", n)
}

func errTypeNotFound(name string) *apiError {
	return newAPIError(http.StatusNotFound, "WorkItemTypeNotFoundException", nsWIT,
		"TF401326: Invalid work item type %s.", name)
}

func errFieldNotFound(name string) *apiError {
	return newAPIError(http.StatusBadRequest, "WorkItemFieldInvalidException", nsWIT,
		"TF51535: Cannot find field %s.", name)
}

func errBadRequest(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "ArgumentException", "System", format, args...)
}

func errNotFoundRoute(path string) *apiError {
	return newAPIError(http.StatusNotFound, "ApiResourceNotFoundException", nsVSS,
		"The controller for path '%s' was not found or does not implement IController.", path)
}

func errMethodNotAllowed(method string) *apiError {
	return newAPIError(http.StatusMethodNotAllowed, "RouteMethodNotAllowedException", nsVSS,
		"The requested resource does not support http method '%s'.", method)
}

func errCAP() *apiError {
	return &apiError{
		status:   http.StatusForbidden,
		message:  "VS403463: The conditional access policy defined by your Azure Active Directory administrator has failed.",
		typeName: "Microsoft.VisualStudio.Services.Common.VssServiceException, Microsoft.VisualStudio.Services.Common",
		typeKey:  "VssServiceException",
	}
}

func errSubscriptionNotFound(id string) *apiError {
	return newAPIError(http.StatusNotFound, "SubscriptionNotFoundException", nsHooks,
		"VS1022002: Subscription %s does not exist.", id)
}

// writeAPIError writes err as a VSS error envelope with its status.
func writeAPIError(w http.ResponseWriter, err *apiError) {
	body, _ := json.Marshal(errorBody{
		ID: "1", Message: err.message, TypeName: err.typeName, TypeKey: err.typeKey, EventID: 3000,
	})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(err.status)
	_, _ = w.Write(body)
}
