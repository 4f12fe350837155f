//! Running core calls off the event loop: every call that touches the store becomes an
//! [`AsyncTask`] whose work runs on the libuv thread pool and whose result settles a Promise.

use std::panic::{AssertUnwindSafe, catch_unwind};

use license_inventory as li;
use napi::bindgen_prelude::{AsyncTask, ExternalRef, ToNapiValue, TypeName};
use napi::{Env, Task};

use crate::error::{Failure, throw_core, to_js_error};

type Work<T> = Box<dyn FnOnce() -> li::Result<T> + Send>;

/// One core call, run on the libuv pool. `T` is what the work makes, off the event loop (the
/// JS-facing records, converted from the core's there); `J` the JS value it resolves with,
/// made from it by `finish` on the JS thread (`T` itself, or an opaque `External` holding it).
pub struct Op<T, J = T> {
    work: Option<Work<T>>,
    failure: Option<Failure>,
    finish: Finish<T, J>,
}

/// How a task's output becomes its JS value, on the JS thread.
pub(crate) type Finish<T, J> = fn(&Env, T) -> napi::Result<J>;

/// The output itself.
pub(crate) fn itself<T>(_: &Env, output: T) -> napi::Result<T> {
    Ok(output)
}

/// The output held by an opaque JS `External` (for `api.js` to hand back to the addon).
pub(crate) fn opaque<T: 'static>(env: &Env, output: T) -> napi::Result<ExternalRef<T>> {
    ExternalRef::new(env, output)
}

/// Schedules `work` on the libuv thread pool; the returned task is a Promise in JS.
pub(crate) fn run<T, F>(work: F) -> AsyncTask<Op<T>>
where
    T: ToNapiValue + TypeName + Send + 'static,
    F: FnOnce() -> li::Result<T> + Send + 'static,
{
    run_with(work, itself)
}

/// `run`, resolving with `finish` of the work's output.
pub(crate) fn run_with<T, J, F>(work: F, finish: Finish<T, J>) -> AsyncTask<Op<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
    F: FnOnce() -> li::Result<T> + Send + 'static,
{
    AsyncTask::new(Op {
        work: Some(Box::new(work)),
        failure: None,
        finish,
    })
}

/// A task that rejects with `failure` without running anything (a call on a closed store).
pub(crate) fn fail<T, J>(failure: Failure, finish: Finish<T, J>) -> AsyncTask<Op<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Op {
        work: None,
        failure: Some(failure),
        finish,
    })
}

/// Runs a synchronous method's core call on the JS thread, with the same conversions as a
/// task's: a core error becomes its coded JS `Error`, a panic (a bug) an `INTERNAL_PANIC` one.
pub(crate) fn sync<T>(env: &Env, call: impl FnOnce() -> li::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(throw_core(env, err)),
        Err(panic) => Err(
            to_js_error(env, &Failure::Panic(panic_message(panic.as_ref())))
                .unwrap_or_else(|failed| failed),
        ),
    }
}

/// The text of a panic's payload (empty if it is neither `&str` nor `String`).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

impl<T, J> Task for Op<T, J>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<T> {
        let Some(work) = self.work.take() else {
            // A task made by `fail` (its failure is kept for `reject`), or one run twice.
            return Err(napi::Error::from_reason("task already ran"));
        };
        let failure = match catch_unwind(AssertUnwindSafe(work)) {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(err)) => Failure::Core(err),
            Err(panic) => Failure::Panic(panic_message(panic.as_ref())),
        };
        let reason = match &failure {
            Failure::Core(err) => err.to_string(),
            Failure::Panic(message) => message.clone(),
            Failure::Closed => crate::error::CLOSED_MESSAGE.to_owned(),
        };
        // The structured error is built in `reject`, on the JS thread, from what is kept here.
        self.failure = Some(failure);
        Err(napi::Error::from_reason(reason))
    }

    fn resolve(&mut self, env: Env, output: T) -> napi::Result<J> {
        (self.finish)(&env, output)
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<J> {
        match self.failure.take() {
            Some(failure) => Err(to_js_error(&env, &failure)?),
            None => Err(err),
        }
    }
}
