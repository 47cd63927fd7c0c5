//! Idle connections kept for the next read or append: each caller takes one of its own, so a
//! store handle serves many threads at once, and gives it back when done.

use parking_lot::Mutex;

/// A connection a pool can tell is still worth keeping.
pub(crate) trait Reusable {
    /// Whether the connection can serve another caller (not closed by a failure).
    fn reusable(&self) -> bool;
}

/// Idle connections, at most `max_idle` of them.
pub(crate) struct Pool<C> {
    idle: Mutex<Vec<C>>,
    max_idle: usize,
}

impl<C: Reusable> Pool<C> {
    /// A pool holding `first`, keeping at most `max_idle` idle connections.
    pub(crate) fn new(first: C, max_idle: usize) -> Self {
        Pool {
            idle: Mutex::new(vec![first]),
            max_idle,
        }
    }

    /// An idle connection, or a new one from `open`.
    pub(crate) fn get<E>(&self, open: impl FnOnce() -> Result<C, E>) -> Result<Pooled<'_, C>, E> {
        let idle = self.idle.lock().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => open()?,
        };
        Ok(Pooled {
            connection: Some(connection),
            pool: self,
        })
    }
}

/// A connection taken from a pool, given back when dropped (if it is still reusable and the
/// pool has room).
pub(crate) struct Pooled<'p, C: Reusable> {
    connection: Option<C>,
    pool: &'p Pool<C>,
}

impl<C: Reusable> std::ops::Deref for Pooled<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.connection.as_ref().expect("taken only on drop")
    }
}

impl<C: Reusable> std::ops::DerefMut for Pooled<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.connection.as_mut().expect("taken only on drop")
    }
}

impl<C: Reusable> Drop for Pooled<'_, C> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && connection.reusable()
        {
            let mut idle = self.pool.idle.lock();
            if idle.len() < self.pool.max_idle {
                idle.push(connection);
            }
        }
    }
}
