//! The in-memory bus of the all-in-one process, with RabbitMQ's semantics: topic bindings,
//! queues that keep events while nobody consumes them, competing consumers (each event goes to
//! one consumer of its queue), redelivery of unacknowledged events, dead-lettering after
//! `max_deliveries` failed deliveries or on `Reject`.
//!
//! Events live in memory only: what has not been handled when the process stops is lost from
//! the bus, and the outbox (which is durable) is what makes delivery survive a restart.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{
    BusError, Event, Handler, HandlerError, Subscriber, Subscription, pattern, run_handler,
};

/// In-process queues; clones share them.
#[derive(Debug, Clone, Default)]
pub struct MemoryBus {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    queues: HashMap<String, Queue>,
    /// Set by [`MemoryBus::set_unavailable`] to simulate a broker outage.
    unavailable: bool,
}

#[derive(Debug)]
struct Queue {
    patterns: Vec<String>,
    max_deliveries: u32,
    ready: VecDeque<Message>,
    dead: VecDeque<Event>,
    /// Woken when an event is queued, for the consumers waiting on an empty queue.
    queued: Arc<Notify>,
}

#[derive(Debug)]
struct Message {
    event: Event,
    /// Failed deliveries so far (handler `Retry`, or consumer gone before settling).
    failures: u32,
}

impl MemoryBus {
    /// An empty bus: no queues.
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulates a broker outage (`true`) or its end (`false`): while unavailable, `publish`
    /// fails as it does when RabbitMQ is down. Consumers are not affected.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().unavailable = unavailable;
    }

    /// Queues the event on every queue bound with a matching pattern (none: dropped, as an
    /// exchange does).
    pub fn publish(&self, event: &Event) -> Result<(), BusError> {
        event.validate()?;
        let mut state = self.lock();
        if state.unavailable {
            return Err(BusError::Unavailable(
                "the in-memory bus is marked unavailable".into(),
            ));
        }
        for queue in state.queues.values_mut() {
            if queue
                .patterns
                .iter()
                .any(|p| pattern::matches(p, &event.kind))
            {
                queue.ready.push_back(Message {
                    event: event.clone(),
                    failures: 0,
                });
                queue.queued.notify_waiters();
            }
        }
        Ok(())
    }

    /// Creates the queue or adds the subscription's patterns to its bindings; an existing queue
    /// with another `max_deliveries` is refused, as RabbitMQ refuses to redeclare a queue with
    /// other arguments.
    pub fn declare(&self, subscription: &Subscription) -> Result<(), BusError> {
        subscription.validate()?;
        let mut state = self.lock();
        let queue = state
            .queues
            .entry(subscription.queue.clone())
            .or_insert_with(|| Queue {
                patterns: Vec::new(),
                max_deliveries: subscription.max_deliveries,
                ready: VecDeque::new(),
                dead: VecDeque::new(),
                queued: Arc::new(Notify::new()),
            });
        if queue.max_deliveries != subscription.max_deliveries {
            return Err(BusError::Broker(format!(
                "queue {} exists with max_deliveries {}, not {}",
                subscription.queue, queue.max_deliveries, subscription.max_deliveries
            )));
        }
        for pattern in &subscription.patterns {
            if !queue.patterns.contains(pattern) {
                queue.patterns.push(pattern.clone());
            }
        }
        Ok(())
    }

    /// Declares the queue and consumes it on a task (see [`super::Bus::subscribe`]).
    pub(crate) fn subscribe(
        &self,
        subscription: Subscription,
        handler: Handler,
    ) -> Result<Subscriber, BusError> {
        self.declare(&subscription)?;
        let cancel = CancellationToken::new();
        let task = tokio::spawn(consume(
            self.clone(),
            subscription.clone(),
            handler,
            cancel.clone(),
        ));
        Ok(Subscriber::new(subscription.queue, cancel, task))
    }

    /// Removes and returns up to `max` dead letters of `queue`, oldest first.
    pub fn take_dead_letters(&self, queue: &str, max: usize) -> Vec<Event> {
        let mut state = self.lock();
        match state.queues.get_mut(queue) {
            Some(queue) => {
                let count = max.min(queue.dead.len());
                queue.dead.drain(..count).collect()
            }
            None => Vec::new(),
        }
    }

    /// The dead letters of `queue`, oldest first, left in place.
    pub fn dead_letters(&self, queue: &str) -> Vec<Event> {
        self.lock()
            .queues
            .get(queue)
            .map(|queue| queue.dead.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// How many events wait in `queue` (not counting one being handled).
    pub fn ready_count(&self, queue: &str) -> usize {
        self.lock()
            .queues
            .get(queue)
            .map_or(0, |queue| queue.ready.len())
    }

    /// The state, even if a thread panicked while holding the lock: every update below leaves it
    /// consistent, so the poison carries no meaning here.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next event of `queue`, waiting for one when it is empty.
    async fn next(&self, queue: &str) -> Option<Message> {
        loop {
            let queued = self.lock().queues.get(queue).map(|q| q.queued.clone())?;
            let notified = queued.notified();
            tokio::pin!(notified);
            // Registered before looking, so a publish between the look and the wait still
            // wakes us.
            notified.as_mut().enable();
            if let Some(message) = self
                .lock()
                .queues
                .get_mut(queue)
                .and_then(|q| q.ready.pop_front())
            {
                return Some(message);
            }
            notified.await;
        }
    }

    /// Puts back an event that failed once more, at the head of its queue so that order is
    /// kept, or dead-letters it when that was its last allowed delivery.
    fn fail(&self, queue: &str, mut message: Message) {
        message.failures = message.failures.saturating_add(1);
        let mut state = self.lock();
        let Some(queue) = state.queues.get_mut(queue) else {
            return;
        };
        if message.failures >= queue.max_deliveries {
            tracing::warn!(event_id = %message.event.id, kind = %message.event.kind,
                failures = message.failures, "event dead-lettered after its last delivery");
            queue.dead.push_back(message.event);
        } else {
            queue.ready.push_front(message);
            queue.queued.notify_waiters();
        }
    }

    fn dead_letter(&self, queue: &str, event: Event) {
        if let Some(queue) = self.lock().queues.get_mut(queue) {
            queue.dead.push_back(event);
        }
    }
}

/// An event taken from its queue and not settled yet. If the consumer goes away (task aborted,
/// handler panicked) the guard puts it back, as the broker does with unacknowledged messages.
struct InFlight {
    bus: MemoryBus,
    queue: String,
    message: Option<Message>,
}

impl InFlight {
    fn settle(mut self) -> Option<Message> {
        self.message.take()
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(message) = self.message.take() {
            self.bus.fail(&self.queue, message);
        }
    }
}

async fn consume(
    bus: MemoryBus,
    subscription: Subscription,
    handler: Handler,
    cancel: CancellationToken,
) {
    let queue = subscription.queue.as_str();
    loop {
        let message = tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            message = bus.next(queue) => message,
        };
        let Some(message) = message else {
            // The queue is gone: nothing in this bus deletes queues, so this is not reached.
            return;
        };
        let event = message.event.clone();
        let in_flight = InFlight {
            bus: bus.clone(),
            queue: queue.to_owned(),
            message: Some(message),
        };
        let (event_id, kind) = (event.id, event.kind.clone());
        match run_handler(&handler, event).await {
            Ok(()) => {
                in_flight.settle();
            }
            Err(HandlerError::Reject(error)) => {
                tracing::error!(queue, %event_id, %kind, error = %format!("{error:#}"), "event rejected, dead-lettered");
                if let Some(message) = in_flight.settle() {
                    bus.dead_letter(queue, message.event);
                }
            }
            Err(HandlerError::Retry(error)) => {
                let failures = in_flight.message.as_ref().map_or(0, |m| m.failures) + 1;
                tracing::warn!(queue, %event_id, %kind, failures, error = %format!("{error:#}"), "event handling failed, will retry");
                if failures < subscription.max_deliveries {
                    // Held (not redelivered) during the delay, like the RabbitMQ consumer does
                    // before its nack; a stop ends the wait and puts the event back at once.
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        () = tokio::time::sleep(subscription.backoff(failures)) => {}
                    }
                }
                drop(in_flight);
            }
        }
    }
}
