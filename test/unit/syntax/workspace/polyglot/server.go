// Serveur 🌐: non-ASCII text before the definitions.
package server

type HealthServer struct {
	Port int
}

func (s *HealthServer) Address() string {
	return "localhost"
}

func StartHealthServer(port int) *HealthServer {
	return &HealthServer{Port: port}
}
