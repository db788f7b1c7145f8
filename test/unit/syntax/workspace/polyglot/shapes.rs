// Formes 🦀: non-ASCII text before the definitions.
pub struct Hexagon {
    pub side: f64,
}

pub trait Tiling {
    fn tile_area(&self) -> f64;
}

pub fn hexagon_area(side: f64) -> f64 {
    1.5 * 3f64.sqrt() * side * side
}
