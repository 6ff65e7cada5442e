--[[
  A runner is about to start a run it took from the queue: marks it started by that runner, unless it was
  ended before (a lost runner's run, or one whose completion did not reach the queue), cancelled before it
  started, or started by another runner (which the queue gave it to before, and whose lock lapsed).

  KEYS[1] started      HASH  run -> entry (JSON: the runner's id and the job)
  KEYS[2] ended:<run>  STRING the run's verdict, for a while after it ended
  KEYS[3] cancel:<run> STRING set when a cancel was asked for the run

  ARGV[1] run id
  ARGV[2] this runner's entry

  Returns: {'mine', cancelled (0|1)} | {'ended', verdict} | {'held', entry of the runner holding it}
]]
local ended = redis.call('GET', KEYS[2])
if ended then
  return {'ended', ended}
end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  return {'mine', redis.call('EXISTS', KEYS[3])}
end
return {'held', redis.call('HGET', KEYS[1], ARGV[1])}
