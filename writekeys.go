package hypercare

// GroupWriteKey is the Store.Write key of the writes to one notification
// group's alerts and incident (an integration with incident_per: group)
// on a service that does not group alerts itself: intake's events of the
// group and people's actions on its incident. They run in order on one
// writer, and a service's groups spread over the writers where they used
// to share the service's one. Every write that locks a group's alerts or
// its incident taking this one key is what keeps two writers from taking
// two groups' rows in opposite orders. It cannot be a service ID, nor an
// alert's key (service ID, NUL, dedup key): a dedup key holds no NUL.
func GroupWriteKey(serviceID, groupKey string) string { return serviceID + "\x00\x00" + groupKey }
