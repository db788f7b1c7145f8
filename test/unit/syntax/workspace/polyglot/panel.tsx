// Panneau 🪟: non-ASCII text before the definitions.
export type PanelProps = { title: string };

export function SidePanel(props: PanelProps): JSX.Element {
  return <aside>{props.title}</aside>;
}
