//! Host package of the trybuild suite (`tests/ui`); it has no code of its own.
