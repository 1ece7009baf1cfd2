#include "forgelens/inference/inference_worker.h"

#include "forgelens/inference/engine.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace forgelens {
namespace {

// Engine::load and Engine::predict return errors as values; anything they did not foresee
// must still reach the waiting caller instead of ending the thread (and the process).
Error unexpectedError(const std::exception_ptr &exception)
{
    QString what = QStringLiteral("unknown exception");
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception &e) {
        what = QString::fromUtf8(e.what());
    } catch (...) {
    }
    return Error{ ErrorCode::InternalError,
        QStringLiteral("the inference thread failed unexpectedly: %1").arg(what) };
}

Result<std::unique_ptr<Engine>> loadEngine(const QString &bundlePath, const EngineConfig &config)
{
    try {
        return Engine::load(bundlePath, config);
    } catch (...) {
        return unexpectedError(std::current_exception());
    }
}

Result<std::vector<Prediction>> predictSafely(
    Engine &engine, const std::vector<at::Tensor> &inputs, const std::vector<bool> &keepPatches)
{
    try {
        return engine.predict(inputs, keepPatches);
    } catch (...) {
        return unexpectedError(std::current_exception());
    }
}

struct Request {
    at::Tensor input;
    bool keepPatches = false;
    std::promise<Result<Prediction>> promise;
};

} // namespace

struct InferenceWorker::Impl {
    QString bundlePath;
    EngineConfig config;
    size_t capacity = 32;
    ModelInfo info;

    std::mutex mutex;
    std::condition_variable notEmpty;
    std::condition_variable notFull;
    std::deque<Request> queue;
    bool stopping = false;
    std::thread thread;

    void run(std::promise<Result<ModelInfo>> loaded)
    {
        Result<std::unique_ptr<Engine>> engine = loadEngine(bundlePath, config);
        if (!engine) {
            loaded.set_value(engine.error());
            return;
        }
        info = (*engine)->info();
        loaded.set_value(info);

        for (;;) {
            std::vector<Request> batch;
            {
                std::unique_lock lock(mutex);
                notEmpty.wait(lock, [this] { return stopping || !queue.empty(); });
                if (stopping)
                    break;
                // Take the head of the queue and whatever waits behind it with the same shape.
                const std::vector<int64_t> shape = queue.front().input.sizes().vec();
                while (!queue.empty() && batch.size() < size_t(config.maxBatch)
                    && queue.front().input.sizes().vec() == shape) {
                    batch.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
            }
            notFull.notify_all();

            std::vector<at::Tensor> inputs;
            std::vector<bool> keepPatches;
            for (Request &request : batch) {
                inputs.push_back(request.input);
                keepPatches.push_back(request.keepPatches);
            }
            Result<std::vector<Prediction>> predictions
                = predictSafely(**engine, inputs, keepPatches);
            for (size_t i = 0; i < batch.size(); ++i) {
                if (predictions)
                    batch[i].promise.set_value(std::move(predictions.value()[i]));
                else
                    batch[i].promise.set_value(predictions.error());
            }
        }

        std::lock_guard lock(mutex);
        for (Request &request : queue)
            request.promise.set_value(Error{ ErrorCode::Cancelled,
                QStringLiteral("the model was unloaded before this "
                               "image was analysed") });
        queue.clear();
    }
};

InferenceWorker::InferenceWorker(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}

InferenceWorker::~InferenceWorker()
{
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->notEmpty.notify_all();
    m_impl->notFull.notify_all();
    if (m_impl->thread.joinable())
        m_impl->thread.join();
}

Result<std::shared_ptr<InferenceWorker>> InferenceWorker::start(
    const QString &bundlePath, const EngineConfig &config, int queueCapacity)
{
    if (queueCapacity < 1)
        return Error{ ErrorCode::BadConfig,
            QStringLiteral("the inference queue needs room for at least one image") };
    auto impl = std::make_unique<Impl>();
    impl->bundlePath = bundlePath;
    impl->config = config;
    impl->capacity = size_t(queueCapacity);

    std::promise<Result<ModelInfo>> loaded;
    std::future<Result<ModelInfo>> ready = loaded.get_future();
    Impl *raw = impl.get();
    impl->thread = std::thread(
        [raw, promise = std::move(loaded)]() mutable { raw->run(std::move(promise)); });
    Result<ModelInfo> info = ready.get();
    if (!info) {
        impl->thread.join();
        return info.error();
    }
    return std::shared_ptr<InferenceWorker>(new InferenceWorker(std::move(impl)));
}

const ModelInfo &InferenceWorker::info() const
{
    return m_impl->info;
}

std::future<Result<Prediction>> InferenceWorker::submit(at::Tensor input, bool keepPatches)
{
    std::promise<Result<Prediction>> promise;
    std::future<Result<Prediction>> future = promise.get_future();
    {
        std::unique_lock lock(m_impl->mutex);
        m_impl->notFull.wait(
            lock, [this] { return m_impl->stopping || m_impl->queue.size() < m_impl->capacity; });
        if (m_impl->stopping) {
            promise.set_value(
                Error{ ErrorCode::Cancelled, QStringLiteral("the model is being unloaded") });
            return future;
        }
        m_impl->queue.push_back(Request{ std::move(input), keepPatches, std::move(promise) });
    }
    m_impl->notEmpty.notify_one();
    return future;
}

} // namespace forgelens
