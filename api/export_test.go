package api

// RouteSpec is one row of the route table, exported for the external
// route × role matrix test.
type RouteSpec struct {
	Method, Pattern, Role string
}

// RouteTable returns the server's route table as the mux serves it.
func (s *Server) RouteTable() []RouteSpec {
	out := make([]RouteSpec, 0, len(s.routes()))
	for _, rt := range s.routes() {
		out = append(out, RouteSpec{Method: rt.method, Pattern: rt.pattern, Role: string(rt.role)})
	}
	return out
}
