// Bouton 🔘: non-ASCII text before the definitions.
export function FancyButton({ label }) {
  return <button className="fancy">{label}</button>;
}
